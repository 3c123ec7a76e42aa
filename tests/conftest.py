"""Fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

Migrating takes a while, so each backend is migrated once per session into a template (a SQLite
file, a PostgreSQL template database) and every test gets its own copy: real files and a real
server, never a mock, and no test sees another's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine
from ir_pipeline.enums import Role
from ir_pipeline.migrate import upgrade

PG_HOST = os.environ.get("IRP_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=test connect_timeout=3"
TEMPLATE_DB = f"irp_template_{os.getpid()}"
TODAY = date(2026, 11, 25)

STAFF = Actor(name="tester", role=Role.STAFF)
MANAGER = Actor(name="boss", role=Role.MANAGER)

_counter = itertools.count()


def pg_url(dbname: str) -> str:
    return f"postgresql+psycopg://postgres@{PG_HOST}:5432/{dbname}"


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN):
            return None
    except psycopg.OperationalError as error:
        return f"no PostgreSQL server answers at {PG_HOST}:5432 ({str(error).strip().splitlines()[0]})"


PG_UNAVAILABLE = _pg_reason()
if PG_UNAVAILABLE and os.environ.get("IRP_REQUIRE_POSTGRES"):
    raise RuntimeError(f"IRP_REQUIRE_POSTGRES is set but {PG_UNAVAILABLE}")


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real data dir, or depend on the caller's settings."""
    monkeypatch.setenv("IRP_DATA_DIR", str(tmp_path / "data"))
    for name in ("IRP_DATABASE_URL", "IRP_USER", "IRP_BASE_CURRENCY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IRP_TODAY", TODAY.isoformat())
    # the receivers of the notice tests listen on 127.0.0.1, a range an admin must allow (the
    # tests of the address checks take this away again)
    monkeypatch.setenv("IRP_NOTIFY_ALLOW", "127.0.0.1/32")
    monkeypatch.delenv("IRP_SECRET_KEY", raising=False)
    monkeypatch.setenv("TZ", "UTC")  # local display times are stable in snapshots
    time.tzset()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if PG_UNAVAILABLE:
        pytest.skip(PG_UNAVAILABLE)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    engine = make_engine(pg_url(TEMPLATE_DB))
    upgrade(engine)
    engine.dispose()
    yield TEMPLATE_DB
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')


def fresh_sqlite_url(template: Path, directory: Path) -> str:
    target = directory / "irp.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return fresh_sqlite_url(sqlite_template, tmp_path)


@pytest.fixture
def pg_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new PostgreSQL database cloned from the migrated template; dropped afterwards."""
    template = request.getfixturevalue("pg_template")
    name = f"irp_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        # a database's own privileges are not copied from its template: what the migration took
        # from PUBLIC is taken again, as on the database it ran on
        conn.execute(f'REVOKE TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
    yield pg_url(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """An empty PostgreSQL database (no schema), for migration tests."""
    if PG_UNAVAILABLE:
        pytest.skip(PG_UNAVAILABLE)
    name = f"irp_empty_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_url(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database on each backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_db"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.demo import load_demo

    with unit_of_work(engine) as session:
        load_demo(session, today=TODAY)
    return engine


class People:
    """Who acts in a test: on SQLite a named actor; on PostgreSQL a real login of that role (the
    database names the login in the trail, so a test of "who" must connect as that person)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._made: list[str] = []
        self._engines: list[Engine] = []

    def __call__(self, name: str, role: Role = Role.STAFF) -> tuple[Engine, Actor]:
        if self._engine.dialect.name != "postgresql":
            return self._engine, Actor(name=name, role=role)
        from ir_pipeline.db import unit_of_work
        from ir_pipeline.services.users import create_user

        login = f"{name}_{os.getpid()}_{next(_counter)}"
        admin = Actor(name="postgres", role=Role.STAFF, admin=True)
        with unit_of_work(self._engine) as session:
            create_user(session, actor=admin, name=login, role=role)
        self._made.append(login)
        url = self._engine.url.set(username=login).render_as_string(hide_password=False)
        engine = make_engine(url)
        self._engines.append(engine)
        return engine, Actor(name=login, role=role)

    def close(self) -> None:
        for engine in self._engines:
            engine.dispose()
        if self._made:  # logins belong to the server, not to the test's database
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                for login in self._made:
                    conn.execute(f'DROP ROLE IF EXISTS "{login}"')


@pytest.fixture
def people(engine: Engine) -> Iterator[People]:
    made = People(engine)
    yield made
    made.close()
