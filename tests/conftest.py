"""Fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

Migrating takes a while, so each backend is migrated once per session (per pytest-xdist worker)
into a template (a SQLite file, a PostgreSQL template database) and every test gets its own copy:
real files and a real server, never a mock, and no test sees another's rows.

On PostgreSQL the tests connect as people do: the template is made and migrated by an owner role
that is not a superuser (``OWNER``, one per worker), and tests reach their database as the staff
login ``tester`` (or the manager ``boss``, or logins made by ``people``). The superuser only creates
and drops databases and roles. A test that connects as the superuser or the owner fails, unless it
is marked ``owner`` (migrations, user management, copies): those bypass row-level security.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import Pool

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine
from ir_pipeline.enums import Role
from ir_pipeline.migrate import upgrade
from ir_pipeline.rights import GROUPS

PG_HOST = os.environ.get("IRP_TEST_PG_HOST", "127.0.0.1")
#: The superuser, for creating and dropping databases and roles only.
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres connect_timeout=3"
#: This worker's own names on the server (pytest-xdist runs one process per worker).
RUN = os.getpid()
TEMPLATE_DB = f"irp_template_{RUN}"
#: The owner of this worker's databases and tables: a login with CREATEROLE, not a superuser, as
#: the README's Team mode makes it. Only migrations, user management and copies connect as it.
OWNER = f"irp_test_owner_{RUN}"
TODAY = date(2026, 11, 25)

STAFF = Actor(name="tester", role=Role.STAFF)
MANAGER = Actor(name="boss", role=Role.MANAGER)
#: On PostgreSQL the actor is the login: these two are logins of the whole server, shared by every
#: worker (each database has its own user rows for them), made once and never disabled.
SHARED_LOGINS = {STAFF.name: Role.STAFF, MANAGER.name: Role.MANAGER}

_counter = itertools.count()


def pg_url(dbname: str, login: str = STAFF.name) -> str:
    return f"postgresql+psycopg://{login}@{PG_HOST}:5432/{dbname}"


def owner_url(url: str) -> str:
    """The same database as its owner (for the tests marked ``owner`` and for fixtures)."""
    return make_url(url).set(username=OWNER).render_as_string(hide_password=False)


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN):
            return None
    except psycopg.OperationalError as error:
        return f"no PostgreSQL server answers at {PG_HOST}:5432 ({str(error).strip().splitlines()[0]})"


PG_UNAVAILABLE = _pg_reason()
if PG_UNAVAILABLE and os.environ.get("IRP_REQUIRE_POSTGRES"):
    raise RuntimeError(f"IRP_REQUIRE_POSTGRES is set but {PG_UNAVAILABLE}")


# -- no test connects as the superuser or the owner unless it says so --------------------------

_owner_allowed = 0
_violations: list[str] = []


@contextmanager
def as_owner() -> Iterator[None]:
    """Connections made inside may be the owner's or the superuser's (fixtures setting up)."""
    global _owner_allowed
    _owner_allowed += 1
    try:
        yield
    finally:
        _owner_allowed -= 1


@event.listens_for(Pool, "connect")
def _who_connects(dbapi_connection: Any, _record: Any) -> None:
    """Every PostgreSQL connection a test's engine opens: a superuser or the owner of the tables
    bypasses row-level security, so a test that passes as one proves nothing about the rest."""
    if _owner_allowed or not isinstance(dbapi_connection, psycopg.Connection):
        return
    with dbapi_connection.cursor() as cursor:
        cursor.execute(
            "SELECT session_user,"
            " r.rolsuper OR coalesce(pg_has_role(session_user, t.tableowner, 'MEMBER'), false)"
            " FROM pg_roles r LEFT JOIN pg_tables t ON t.tablename = 'alembic_version'"
            " AND t.schemaname = current_schema() WHERE r.rolname = session_user"
        )
        row = cursor.fetchone()
    if not dbapi_connection.autocommit:
        dbapi_connection.rollback()  # leave the connection as the pool expects it: no transaction
    if row is not None and row[1]:
        _violations.append(str(row[0]))


@pytest.fixture(autouse=True)
def _connections_are_people(request: pytest.FixtureRequest) -> Iterator[None]:
    marked = request.node.get_closest_marker("owner") is not None
    del _violations[:]
    if marked:
        with as_owner():
            yield
    else:
        yield
    if _violations and not marked:
        who = ", ".join(sorted(set(_violations)))
        pytest.fail(
            f"connected to PostgreSQL as {who}, a superuser or the owner of the tables (which bypass"
            " row-level security): connect as a staff, manager or startup login, or mark the test"
            " @pytest.mark.owner if it is about the owner's own work"
        )


def _make_roles() -> None:
    """The group roles, the shared logins and this worker's owner: once, race-free (one
    transaction under an advisory lock, so parallel workers never both create a role)."""
    with psycopg.connect(PG_ADMIN) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('irp-test-roles'))")
        exists = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
        for group in GROUPS.values():
            if group not in exists:
                conn.execute(f'CREATE ROLE "{group}" NOLOGIN')
        for login, role in SHARED_LOGINS.items():
            if login not in exists:
                conn.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE "{GROUPS[role]}"')
            else:  # as a run before left it, or someone on this server: made a login of its group
                conn.execute(f'ALTER ROLE "{login}" LOGIN NOSUPERUSER')
                conn.execute(f'GRANT "{GROUPS[role]}" TO "{login}"')
        conn.execute(f'DROP ROLE IF EXISTS "{OWNER}"')
        conn.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE')
        groups = ", ".join(f'"{g}"' for g in GROUPS.values())
        conn.execute(f'GRANT {groups} TO "{OWNER}" WITH ADMIN OPTION')


def _drop_owner() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for (name,) in conn.execute(
            "SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = %s",
            (OWNER,),
        ).fetchall():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{OWNER}"')


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real data dir, or depend on the caller's settings."""
    from ir_pipeline.clock import set_database_date

    set_database_date(None)  # a database opened by an earlier test in this process set it
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
    """This worker's migrated template: made and migrated by its owner (not a superuser), with
    the user rows of the shared staff and manager logins."""
    if PG_UNAVAILABLE:
        pytest.skip(PG_UNAVAILABLE)
    with as_owner():
        _make_roles()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
            conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}" OWNER "{OWNER}"')
        engine = make_engine(pg_url(TEMPLATE_DB, OWNER))
        upgrade(engine)
        from ir_pipeline.db import unit_of_work
        from ir_pipeline.services.users import create_user

        admin = Actor(name=OWNER, role=Role.STAFF, admin=True)
        with unit_of_work(engine) as session:
            for login, role in SHARED_LOGINS.items():
                create_user(session, actor=admin, name=login, role=role, login=False)
        engine.dispose()
    yield TEMPLATE_DB
    _drop_owner()


def fresh_sqlite_url(template: Path, directory: Path) -> str:
    target = directory / "irp.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return fresh_sqlite_url(sqlite_template, tmp_path)


def clone_pg(template: str, name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER "{OWNER}"')
        # a database's own privileges are not copied from its template: what the migration took
        # from PUBLIC is taken again, as on the database it ran on
        conn.execute(f'REVOKE TEMPORARY ON DATABASE "{name}" FROM PUBLIC')


@pytest.fixture
def pg_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new PostgreSQL database cloned from the migrated template, reached as the staff login
    (``owner_url`` for its owner); dropped afterwards."""
    template = request.getfixturevalue("pg_template")
    name = f"irp_test_{RUN}_{next(_counter)}"
    clone_pg(template, name)
    yield pg_url(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty PostgreSQL database (no schema) owned by the owner role, as its owner: for the
    migration tests (marked ``owner``)."""
    request.getfixturevalue("pg_template")  # the roles
    name = f"irp_empty_{RUN}_{next(_counter)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER}"')
    yield pg_url(name, OWNER)
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


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated template with the demo loaded: loading it per test costs more than the test."""
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.demo import load_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with _test_clock(), unit_of_work(engine) as session:
        load_demo(session)
    engine.dispose()
    return path


@contextmanager
def _test_clock() -> Iterator[None]:
    """The clock every test runs on (``IRP_TODAY``): session fixtures run before the autouse
    environment of the test that first asks for them, and the demo's trail must not carry the
    real time into snapshots."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IRP_TODAY", TODAY.isoformat())
        yield


@pytest.fixture(scope="session")
def pg_demo_template(pg_template: str) -> Iterator[str]:
    """This worker's template with the demo, loaded by the owner (it records users)."""
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.demo import load_demo

    name = f"{TEMPLATE_DB}_demo"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    clone_pg(pg_template, name)
    with as_owner(), _test_clock():
        loader = make_engine(pg_url(name, OWNER))
        with unit_of_work(loader) as session:
            load_demo(session)
        loader.dispose()
    yield name


@pytest.fixture
def demo_engine(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """The test's own database (its engine: the staff login on PostgreSQL) holding the demo,
    copied from a template that has it: the same file or database name, its contents replaced."""
    engine.dispose()
    if engine.dialect.name != "postgresql":
        target = Path(str(engine.url.database))
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_demo_template"), target)
        return engine
    refill_pg(request.getfixturevalue("pg_demo_template"), str(engine.url.database))
    return engine


@pytest.fixture
def demo_db_url(demo_engine: Engine, db_url: str) -> str:
    """The test's database holding the demo, by URL (for tests that drive the CLI)."""
    return db_url


def refill_pg(template: str, name: str) -> None:
    """Database ``name`` again, as a fresh copy of ``template`` (same name, so URLs stay)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    clone_pg(template, name)


class People:
    """Who acts in a test: on SQLite a named actor; on PostgreSQL a real login of that role (the
    database names the login in the trail, so a test of "who" must connect as that person)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._made: list[str] = []
        self._engines: list[Engine] = []

    def __call__(
        self, name: str, role: Role = Role.STAFF, startup_id: int | None = None
    ) -> tuple[Engine, Actor]:
        if self._engine.dialect.name != "postgresql":
            return self._engine, Actor(name=name, role=role, startup_id=startup_id)
        from ir_pipeline.db import unit_of_work
        from ir_pipeline.services.users import create_user

        login = f"{name}_{RUN}_{next(_counter)}"
        admin = Actor(name=OWNER, role=Role.STAFF, admin=True)
        with as_owner():
            owner = make_engine(owner_url(self._engine.url.render_as_string(hide_password=False)))
            with unit_of_work(owner) as session:
                create_user(session, actor=admin, name=login, role=role, startup_id=startup_id)
            owner.dispose()
        self._made.append(login)
        url = self._engine.url.set(username=login).render_as_string(hide_password=False)
        engine = make_engine(url)
        self._engines.append(engine)
        return engine, Actor(name=login, role=role, startup_id=startup_id)

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
