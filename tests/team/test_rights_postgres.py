"""PostgreSQL enforces the roles itself: grants and forced row-level security, tested through
real non-superuser logins (superusers and table owners would bypass the policies)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from ir_pipeline.actors import Actor
from ir_pipeline.cli.main import app
from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.enums import Role
from ir_pipeline.lookup import resolve_startup
from ir_pipeline.rights import STARTUP_SEES
from ir_pipeline.services.users import create_user
from tests.conftest import OWNER, PG_ADMIN, PG_HOST, as_owner, owner_url, refill_pg

pytestmark = pytest.mark.postgres
ADMIN = Actor(name=OWNER, role=Role.STAFF, admin=True)
_names = itertools.count()


@dataclass(frozen=True)
class Team:
    url: str  # as the owner of the tables (not a superuser)
    dbname: str
    logins: dict[str, str]  # demo user (or "nobody") → login role name

    def login_url(self, who: str) -> str:
        return f"postgresql+psycopg://{self.logins[who]}@{PG_HOST}:5432/{self.dbname}"

    def raw(self, who: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            f"host={PG_HOST} port=5432 user={self.logins[who]} dbname={self.dbname}", autocommit=True
        )


@pytest.fixture
def team(pg_db: str, request: pytest.FixtureRequest) -> Iterator[Team]:
    """The demo on PostgreSQL, with real logins for staff, a manager and two startups."""
    url = owner_url(pg_db)
    prefix = f"irpt{os.getpid()}_{next(_names)}"
    wanted = {
        "staff": (Role.STAFF, None),
        "manager": (Role.MANAGER, None),
        "greengrid": (Role.STARTUP, "GreenGrid"),
        "windcell": (Role.STARTUP, "WindCell"),
    }
    logins = {who: f"{prefix}_{who}" for who in wanted}
    dbname = make_url(pg_db).database
    assert dbname
    refill_pg(request.getfixturevalue("pg_demo_template"), dbname)  # the demo, from its template
    with as_owner():
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            for who, (role, startup) in wanted.items():
                startup_id = resolve_startup(session, startup, actor=ADMIN).id if startup else None
                create_user(session, actor=ADMIN, name=logins[who], role=role, startup_id=startup_id)
        engine.dispose()
    logins["nobody"] = f"{prefix}_nobody"  # a login that belongs to a group but is no irp user here
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{logins["nobody"]}" LOGIN IN ROLE irp_startup')
    yield Team(url, dbname, logins)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        for name in logins.values():
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def _ids(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> set[object]:
    return {row[0] for row in conn.execute(sql).fetchall()}


def _expected(team: Team, startup: str) -> dict[str, set[object]]:
    """What the policy should let a startup read, computed from the data as the superuser."""
    with psycopg.connect(f"host={PG_HOST} port=5432 user=postgres dbname={team.dbname}") as su:
        me = su.execute(
            "SELECT startup_id FROM app_user WHERE name = %s", (team.logins[startup],)
        ).fetchone()[0]  # type: ignore[index]
        deals = _ids(su, f"SELECT id FROM deal WHERE startup_id = {me}")
        in_deals = f"deal_id IN (SELECT id FROM deal WHERE startup_id = {me})"
        return {
            "startup": {me},
            "deal": deals,
            "pitch": _ids(su, f"SELECT id FROM pitch WHERE startup_id = {me}"),
            "letter_of_intent": _ids(su, f"SELECT id FROM letter_of_intent WHERE {in_deals}"),
            "follow_up": _ids(su, f"SELECT id FROM follow_up WHERE {in_deals}"),
            "funding": _ids(su, f"SELECT id FROM funding WHERE {in_deals}"),
            "stage_change": _ids(su, f"SELECT id FROM stage_change WHERE {in_deals}"),
            "investor": _ids(su, f"SELECT investor_id FROM deal WHERE startup_id = {me}"),
            "event": _ids(su, f"SELECT event_id FROM deal WHERE startup_id = {me}")
            | _ids(su, f"SELECT event_id FROM pitch WHERE startup_id = {me}"),
            "contact": _ids(su, f"SELECT id FROM contact WHERE startup_id = {me}"),
            "app_user": _ids(su, f"SELECT id FROM app_user WHERE startup_id = {me}"),
        }


@pytest.mark.parametrize("startup", ["greengrid", "windcell"])
def test_a_startup_login_reads_only_its_own_rows_in_raw_sql(team: Team, startup: str) -> None:
    expected = _expected(team, startup)
    with team.raw(startup) as conn:
        for table in STARTUP_SEES:
            if table == "audit_log":
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("SELECT * FROM audit_log")
                continue
            assert _ids(conn, f"SELECT id FROM {table}") == expected[table], table
        names = {str(n) for n in _ids(conn, "SELECT name FROM startup")}
        assert len(names) == 1
        assert expected["deal"], "the demo gives every startup deals"


def test_a_login_with_no_irp_user_sees_nothing(team: Team) -> None:
    with team.raw("nobody") as conn:
        for table, rows in STARTUP_SEES.items():
            if rows is not None:
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_managers_and_startups_cannot_write_or_alter(team: Team) -> None:
    for who in ("manager", "greengrid"):
        with team.raw(who) as conn:
            for statement in (
                "UPDATE letter_of_intent SET amount_minor = 1",
                "INSERT INTO event (created_at, updated_at, name, starts_on, ends_on, venue, organiser)"
                " VALUES (now(), now(), 'x', '2026-01-01', '2026-01-01', '', '')",
                "DELETE FROM follow_up",
                "TRUNCATE deal CASCADE",
                "ALTER TABLE deal ADD COLUMN x int",
                "DROP TABLE funding",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
    with team.raw("staff") as conn:  # staff write rows, but never alter, drop or truncate
        for statement in ("TRUNCATE deal CASCADE", "DROP TABLE funding", "DELETE FROM deal"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_notices_are_read_by_staff_and_managers_and_never_edited(team: Team) -> None:
    """The outbox names both sides of every deal: a startup login may not read it at all, and a
    staff login may add notices but never change or remove one."""
    with team.raw("greengrid") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM outbox_event")
    for who in ("staff", "manager"):
        with team.raw(who) as conn:
            row = conn.execute("SELECT count(*) FROM outbox_event").fetchone()
            assert row is not None and int(str(row[0])) > 0  # the demo's changes wrote notices
    with team.raw("staff") as conn:
        for statement in ("UPDATE outbox_event SET actor = 'someone else'", "DELETE FROM outbox_event"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with team.raw("manager") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO outbox_event (event_id, type, payload, actor, created_at)"
            " VALUES ('evt_x', 'loi.received', '{}', 'm', now())"
        )


def test_everyone_reads_exchange_rates_and_only_staff_write_them(team: Team) -> None:
    """Rates are public figures (a startup sees the rate its own LOIs were converted at); only
    staff fetch or type them, through irp as their own login, and the trail names them."""
    for who in ("staff", "manager", "greengrid"):
        with team.raw(who) as conn:
            row = conn.execute("SELECT count(*) FROM fx_rate").fetchone()
            assert row is not None and int(str(row[0])) == 6  # the demo's rates
    for who in ("manager", "greengrid"):
        with team.raw(who) as conn:
            for statement in (
                "UPDATE fx_rate SET rate = '1'",
                "INSERT INTO fx_rate (created_at, updated_at, version, base, quote, day, rate, source,"
                " fetched_at, fetched_by) VALUES (now(), now(), 1, 'GBP', 'KRW', '2018-09-19', '1500',"
                " 'x', now(), 'x')",
                "DELETE FROM fx_rate",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
    code, _out, err = irp("fx", "set", "GBP", "1478.9", "--date", "2018-09-19", db=team.login_url("staff"))
    assert code == 0, err
    code, _out, err = irp("fx", "set", "GBP", "1478.9", "--date", "2018-09-20", db=team.login_url("manager"))
    assert code == 1 and "only staff" in err
    with team.raw("staff") as conn:
        row = conn.execute("SELECT fetched_by FROM fx_rate WHERE base = 'GBP'").fetchone()
    assert row is not None and row[0] == team.logins["staff"]


def test_the_audit_trail_is_append_only_even_for_the_owner(team: Team) -> None:
    with team.raw("staff") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_log")
    owner = f"host={PG_HOST} port=5432 user=postgres dbname={team.dbname}"
    refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only")
    with psycopg.connect(owner) as su, refused:
        su.execute("DELETE FROM audit_log")


runner = CliRunner()


def irp(*args: str, db: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_irp_acts_as_the_login_and_refuses_as(team: Team) -> None:
    code, out, err = irp("--as", "greengrid", "deal", "list", db=team.login_url("manager"))
    assert code == 1 and err.count("\n") == 1 and "refused" in err
    code, out, _ = irp("deal", "list", "--json", db=team.login_url("greengrid"))
    assert code == 0 and '"WindCell' not in out and "GreenGrid" in out
    code, _, err = irp("loi", "status", "1", "withdrawn", db=team.login_url("manager"))
    assert code == 1 and err.count("\n") == 1 and "only staff" in err
    code, _, err = irp("deal", "list", db=team.login_url("nobody"))
    assert code == 1 and "not a user of this irp database" in err


def test_a_startup_login_learns_no_foreign_name_from_look_ups(team: Team) -> None:
    url = team.login_url("greengrid")
    foreign = ["WindCell", "AirSense", "Mobility Lab", "ParkMate", "CityTwin", "SafeWalk", "WaterLoop"]
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for args in (("deal", "list", "--startup", letter), ("funnel", "--startup", letter)):
            _, out, err = irp(*args, db=url)
            assert not [n for n in foreign if n in out + err], (args, err)


def test_staff_writes_are_audited_under_the_login(team: Team) -> None:
    url = team.login_url("staff")
    code, out, err = irp("loi", "edit", "1", "--conditions", "board approval", "--json", db=url)
    assert code == 0, err
    code, out, _ = irp("audit", "--json", "--limit", "5", db=url)
    assert code == 0 and team.logins["staff"] in out and "board approval" in out


@pytest.mark.owner
def test_user_add_creates_a_login_with_a_password_and_disable_revokes_it(team: Team) -> None:
    name = f"{team.logins['staff']}_new"
    try:
        code, _, err = irp(
            "user", "add", name, "--role", "manager", "--password-stdin", db=team.url, stdin="s3cret!\n"
        )
        assert code == 0, err
        with psycopg.connect(PG_ADMIN) as su:
            row = su.execute(
                "SELECT rolcanlogin, rolpassword IS NOT NULL,"
                " pg_has_role(rolname, 'irp_manager', 'MEMBER') FROM pg_authid WHERE rolname = %s",
                (name,),
            ).fetchone()
        assert row == (True, True, True)
        assert irp("user", "disable", name, db=team.url)[0] == 0
        with psycopg.connect(PG_ADMIN) as su:
            assert su.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)).fetchone() == (
                False,
            )
        code, _, err = irp("user", "add", "x_" + name, "--role", "staff", db=team.login_url("staff"))
        assert (
            code == 1
            and err.count("\n") == 1
            and f"only the owner of this database's tables ({OWNER})" in err
        )
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as su:
            su.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_identity_comes_from_the_login_in_the_backend(team: Team) -> None:
    from ir_pipeline.gateway import Backend
    from ir_pipeline.services.users import login_actor

    engine: Engine = make_engine(team.login_url("manager"))
    try:
        with read_only(engine) as session:
            actor = login_actor(session)
        backend = Backend(engine, actor)
        assert actor.role is Role.MANAGER and backend.shared
        from ir_pipeline.errors import Forbidden

        with pytest.raises(Forbidden):
            backend.switch_user("greengrid")
    finally:
        engine.dispose()


def test_a_startup_is_granted_every_column_but_the_internal_ones(pg_db: str) -> None:
    """Column grants are made from the tables as a migration finds them: a column added later
    without granting it again would be invisible to startups (or, granted whole, leak a note)."""
    from ir_pipeline.rights import STARTUP_HIDDEN

    engine = make_engine(pg_db)
    try:
        with read_only(engine) as session:
            for table, hidden in STARTUP_HIDDEN.items():
                columns = set(
                    session.execute(
                        sa.text(
                            "SELECT column_name FROM information_schema.columns"
                            " WHERE table_schema = current_schema() AND table_name = :t"
                        ),
                        {"t": table},
                    ).scalars()
                )
                granted = {
                    c
                    for c in columns
                    if session.execute(
                        sa.text("SELECT has_column_privilege('irp_startup', :t, :c, 'SELECT')"),
                        {"t": table, "c": c},
                    ).scalar_one()
                }
                assert granted == columns - set(hidden), table
                assert not session.execute(
                    sa.text("SELECT has_table_privilege('irp_startup', :t, 'SELECT')"), {"t": table}
                ).scalar_one()
    finally:
        engine.dispose()


def test_share_links_are_staffs_alone(team: Team) -> None:
    """A link's hash and whom it is for are staff's: a manager or a startup login reads neither
    the links nor their views, and writes none."""
    code, out, err = irp("share", "startup", "GreenGrid", db=team.login_url("staff"))
    assert code == 0 and "/share/" in out, err
    for who in ("manager", "greengrid"):
        with team.raw(who) as conn:
            for statement in (
                "SELECT token_hash FROM share_link",
                "SELECT count(*) FROM share_view",
                "UPDATE share_link SET revoked_at = NULL",
                "INSERT INTO share_view (link_id, at, address, page) VALUES (1, now(), '', '')",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
    code, _out, err = irp("share", "list", db=team.login_url("manager"))
    assert code == 1 and "only staff" in err
    with team.raw("staff") as conn:
        row = conn.execute(
            "SELECT actor, action FROM audit_log WHERE table_name = 'share_link' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row == (team.logins["staff"], "insert")  # the database's trail names who shared
