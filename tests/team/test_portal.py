"""The share server on PostgreSQL, as its own portal login: the database, not the application,
keeps each page to its link. Attacked from raw SQL as that login (no setting, a made-up hash,
another id in the query, the link table itself) and through the real server."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ir_pipeline.database import open_database
from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.enums import ShareKind
from ir_pipeline.portal_sql import SETTING
from ir_pipeline.services import share_links
from ir_pipeline.web.app import NOT_FOUND
from ir_pipeline.web.guard import Attempts
from tests.conftest import PG_ADMIN, PG_HOST, STAFF, refill_pg
from tests.real_programs import REQUIRED, find
from tests.test_cli import irp
from tests.web.pages import (
    check_founder_page,
    check_hostile_page,
    every_hostile_name,
    serving,
    ten_hostile_lois,
)
from tests.web.tampering import tamper

pytestmark = pytest.mark.postgres
_names = itertools.count()
OTHERS = ("Mobility Lab", "AirSense", "ParkMate", "WaterLoop", "CityTwin", "SafeWalk", "WindCell")


class Portal:
    def __init__(self, staff_url: str, dbname: str, login: str) -> None:
        self.staff_url, self.dbname, self.login = staff_url, dbname, login
        self.url = f"postgresql+psycopg://{login}@{PG_HOST}:5432/{dbname}"

    def raw(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(f"host={PG_HOST} port=5432 user={self.login} dbname={self.dbname}")

    def link(self, kind: ShareKind, name: str) -> share_links.CreatedLink:
        engine = make_engine(self.staff_url)
        try:
            with unit_of_work(engine) as session:
                return share_links.create_link(session, actor=STAFF, kind=kind, name=name)
        finally:
            engine.dispose()


@pytest.fixture
def portal(pg_db: str, request: pytest.FixtureRequest) -> Iterator[Portal]:
    dbname = make_url(pg_db).database
    assert dbname
    refill_pg(request.getfixturevalue("pg_demo_template"), dbname)
    login = f"irpweb{os.getpid()}_{next(_names)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE irp_portal')
    yield Portal(pg_db, dbname, login)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{login}"')


def count(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> int:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_raw_sql_as_the_portal_reads_only_what_a_live_link_names(portal: Portal) -> None:
    made = portal.link(ShareKind.STARTUP, "GreenGrid")
    other = portal.link(ShareKind.STARTUP, "WindCell")
    tables = ("deal", "startup", "investor", "event", "letter_of_intent", "follow_up", "funding")
    with portal.raw() as conn:
        for table in tables:  # no link named: nothing
            assert count(conn, f"SELECT count(*) FROM {table}") == 0, table
        conn.execute(f"SET LOCAL {SETTING} = 'deadbeef'")
        assert count(conn, "SELECT count(*) FROM deal") == 0
        conn.rollback()
        conn.execute("SELECT set_config(%s, %s, true)", (SETTING, share_links.token_hash(made.token)))
        names = {row[0] for row in conn.execute("SELECT name FROM startup").fetchall()}
        assert names == {"GreenGrid (demo)"}
        startups = {row[0] for row in conn.execute("SELECT DISTINCT startup_id FROM deal").fetchall()}
        assert len(startups) == 1
        assert (
            count(conn, "SELECT count(*) FROM deal WHERE startup_id <> (SELECT min(startup_id) FROM deal)")
            == 0
        )
        for statement in (
            "SELECT token_hash FROM share_link",
            "SELECT note FROM follow_up",
            "SELECT notes FROM deal",
            "SELECT reason FROM stage_change",
            "SELECT * FROM app_user",
            "SELECT * FROM audit_log",
            "UPDATE deal SET owner = 'x'",
            f"INSERT INTO share_view (link_id, at, address, page) VALUES ({other.id}, now(), '', '')",
        ):
            with pytest.raises(psycopg.errors.Error):
                conn.execute(statement)
            conn.rollback()
            conn.execute("SELECT set_config(%s, %s, true)", (SETTING, share_links.token_hash(made.token)))
        conn.execute(f"INSERT INTO share_view (link_id, at, address, page) VALUES ({made.id}, now(), '', '')")
        conn.commit()  # its own link's view: the one write a portal has
    assert irp("share", "revoke", str(made.id), db=portal.staff_url)[0] == 0
    with portal.raw() as conn:
        conn.execute("SELECT set_config(%s, %s, true)", (SETTING, share_links.token_hash(made.token)))
        assert count(conn, "SELECT count(*) FROM deal") == 0  # revoked: the next transaction sees nothing


def test_the_server_as_the_portal_serves_each_link_its_own(portal: Portal) -> None:
    made = portal.link(ShareKind.STARTUP, "GreenGrid")
    event = portal.link(ShareKind.EVENT, "WSCW")
    engine = open_database(portal.url)
    try:
        with serving(engine) as base:
            page = httpx.get(f"{base}/share/{made.token}", timeout=10)
            assert page.status_code == 200 and "GreenGrid (demo)" in page.text and "21억 원" in page.text
            assert all(other not in page.text for other in OTHERS)
            funnel = httpx.get(f"{base}/share/{event.token}", timeout=10)
            assert funnel.status_code == 200 and "26건 · 8개사 · 171억 5천만 원" in funnel.text
            for bad in (made.token[:-1], made.token + "x", "x" * 43, "' OR 1=1 --" + "x" * 30):
                gone = httpx.get(f"{base}/share/{bad}", timeout=10)
                assert gone.status_code == 404 and gone.text == NOT_FOUND
    finally:
        engine.dispose()
    code, out, _ = irp("share", "views", str(made.id), "--json", db=portal.staff_url)
    assert code == 0 and '"address": "127.0.0.1"' in out


def test_the_portal_pages_in_chromium(portal: Portal, tmp_path: Path) -> None:
    """The founder's page and the hostile names' page, served as the portal, read by Chromium
    (Playwright): the same checks as on SQLite (tests/web/pages.py)."""
    if find("chromium") is None and not REQUIRED:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does)")
    staff = make_engine(portal.staff_url)
    try:
        founder, hostile = ten_hostile_lois(staff), every_hostile_name(staff)
        with unit_of_work(staff) as session:
            links = [
                share_links.create_link(
                    session, actor=STAFF, kind=ShareKind.STARTUP, name="", target_id=ident
                )
                for ident in (founder, hostile)
            ]
    finally:
        staff.dispose()
    engine = open_database(portal.url)
    try:
        with serving(engine) as base:
            check_founder_page(f"{base}/share/{links[0].token}", portal.staff_url, tmp_path)
            check_hostile_page(f"{base}/share/{links[1].token}")
    finally:
        engine.dispose()


def test_a_thousand_tampering_attempts_as_the_portal_show_no_other_company(portal: Portal) -> None:
    mine = portal.link(ShareKind.STARTUP, "GreenGrid")
    theirs = portal.link(ShareKind.STARTUP, "WindCell")
    expired = portal.link(ShareKind.STARTUP, "AirSense")
    staff = make_engine(portal.staff_url)
    with unit_of_work(staff) as session:  # its time is up
        past = sa.text("UPDATE share_link SET expires_at = '2000-01-01T00:00:00+00:00' WHERE id = :id")
        session.execute(past, {"id": expired.id})
    staff.dispose()
    engine = open_database(portal.url)
    try:
        with serving(engine, Attempts(most=10**6)) as base:
            assert tamper(base, mine.token, theirs.token, expired.token) == 0
    finally:
        engine.dispose()


def test_serve_refuses_a_login_that_is_more_than_a_portal(portal: Portal) -> None:
    code, _out, err = irp("serve", "--port", "1", db=portal.staff_url)
    assert code == 1 and "irp_portal" in err
