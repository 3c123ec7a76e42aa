"""Attacks on team mode from a psql prompt, as each real login (never the superuser, which
bypasses row-level security): every one must be denied, each with its exact denial."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import OWNER, PG_ADMIN, PG_HOST
from tests.team.test_rights_postgres import Team, irp, team

__all__ = ["team"]
pytestmark = pytest.mark.postgres
Refused = psycopg.errors.InsufficientPrivilege


def _one(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> object:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_no_login_may_create_temporary_objects_or_objects_in_the_schema(team: Team) -> None:
    for who in ("greengrid", "staff", "manager", "nobody"):
        with team.raw(who) as conn:
            with pytest.raises(Refused, match="permission denied to create temporary tables"):
                conn.execute("CREATE TEMP TABLE app_user (name text, role text, startup_id int, active bool)")
            with pytest.raises(Refused, match="permission denied for schema public"):
                conn.execute("CREATE TABLE public.app_user (name text)")


def test_shadowing_every_name_the_policies_use_changes_nothing(team: Team) -> None:
    """Even with TEMP given back, the definer functions read the real app_user: pg_temp is last."""
    with psycopg.connect(
        f"host={PG_HOST} port=5432 user={OWNER} dbname={team.dbname}", autocommit=True
    ) as su:
        su.execute(f'GRANT TEMPORARY ON DATABASE "{team.dbname}" TO "{team.logins["greengrid"]}"')
    with team.raw("greengrid") as conn:
        own = {str(n) for n in (r[0] for r in conn.execute("SELECT name FROM startup").fetchall())}
        assert len(own) == 1
        for name in ("app_user", "deal", "startup", "pitch"):
            conn.execute(
                f"CREATE TEMP TABLE {name} (id int, name text, role text, startup_id int, active bool)"
            )
            conn.execute(f"GRANT SELECT ON pg_temp.{name} TO PUBLIC")
        for startup_id in range(1, 9):
            conn.execute("DELETE FROM pg_temp.app_user")
            conn.execute(
                f"INSERT INTO pg_temp.app_user VALUES (0, session_user, 'staff', {startup_id}, true)"
            )
            for path in ("pg_temp, public", "public", "pg_temp"):
                conn.execute(f"SET search_path = {path}")
                assert {str(r[0]) for r in conn.execute("SELECT name FROM public.startup").fetchall()} == own
                assert _one(conn, "SELECT public.irp_user_role()") == "startup"
        conn.execute(
            "CREATE FUNCTION pg_temp.irp_user_role() RETURNS text LANGUAGE sql AS $$ SELECT 'staff' $$"
        )
        conn.execute("SET search_path = pg_temp, public")
        assert {str(r[0]) for r in conn.execute("SELECT name FROM public.startup").fetchall()} == own


def test_set_role_and_session_authorization_are_refused(team: Team) -> None:
    for who, target in (("greengrid", "irp_staff"), ("staff", "irp_startup"), ("manager", "postgres")):
        with team.raw(who) as conn, pytest.raises(Refused, match="permission denied to set role"):
            conn.execute(f"SET ROLE {target}")
    with team.raw("staff") as conn, pytest.raises(Refused, match="permission denied to set session"):
        conn.execute("SET SESSION AUTHORIZATION postgres")


def test_every_definer_function_has_a_safe_search_path(team: Team) -> None:
    with team.raw("staff") as conn:
        rows = conn.execute(
            "SELECT proname, prosecdef, proconfig FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'irp%'"
        ).fetchall()
    assert {str(r[0]) for r in rows} >= {"irp_user_role", "irp_user_startup", "irp_audit", "irp_check_outbox"}
    for name, _definer, config in rows:
        path = next(c for c in config or [] if str(c).startswith("search_path="))  # type: ignore[attr-defined]
        assert str(path).endswith("pg_temp"), name


def test_the_trail_cannot_be_forged_and_a_raw_update_is_recorded(team: Team) -> None:
    insert = (
        "INSERT INTO audit_log (at, actor, action, table_name, record_id, deal_id, version)"
        " VALUES (now() - interval '30 days', '{who}', 'update', 'letter_of_intent', 1, 1, 1)"
    )
    for who in ("staff", "manager", "greengrid"):
        with team.raw(who) as conn, pytest.raises(Refused, match="permission denied for table audit_log"):
            conn.execute(insert.format(who=team.logins["manager"]))
    staff = team.logins["staff"]
    with team.raw("staff") as conn:
        conn.execute("UPDATE letter_of_intent SET amount_minor = 9000000000 WHERE id = 1")
        row = conn.execute(
            "SELECT actor, action, field, new_value, at > now() - interval '1 minute' FROM audit_log"
            " WHERE table_name = 'letter_of_intent' AND record_id = 1 ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row == (staff, "update", "amount_minor", "9000000000", True)


def test_invented_moves_and_notices_are_refused(team: Team) -> None:
    staff = team.logins["staff"]
    with team.raw("staff") as conn:
        with pytest.raises(Refused, match="not a move that this transaction made"):
            conn.execute(
                "INSERT INTO stage_change (deal_id, from_stage, to_stage, changed_at, changed_by, reason)"
                f" VALUES (1, 'diligence', 'funded', now(), '{staff}', 'invented')"
            )
        with pytest.raises(Refused, match="changed stage without its move"):
            conn.execute("UPDATE deal SET stage = 'funded' WHERE id = 2")
        forged = (
            '{"type": "%s", "id": "evt_forged%d", "actor": "%s", "deal": null,'
            ' "data": {"loi_id": 1, "endpoint": "x"}, "summary": "[Test] ir-pipeline → x"}'
        )
        for n, kind in enumerate(("loi.received", "notify.test", "import.completed", "deal.moved")):
            with pytest.raises(Refused, match="is not about a change that"):
                conn.execute(
                    "INSERT INTO outbox_event (event_id, type, payload, actor, created_at)"
                    f" VALUES ('evt_forged{n}', '{kind}', %s, '{staff}', now())",
                    (forged % (kind, n, staff),),
                )
        # a real change does not let a notice name someone else, nor another startup
        conn.execute("BEGIN")
        conn.execute("UPDATE letter_of_intent SET conditions = 'x' WHERE id = 1")
        with pytest.raises(Refused, match="is not about a change that"):
            conn.execute(
                "INSERT INTO outbox_event (event_id, type, payload, actor, created_at, deal_id, startup_id)"
                " SELECT 'evt_f', 'loi.updated', json_build_object('type', 'loi.updated', 'id', 'evt_f',"
                " 'actor', %s::text, 'data', json_build_object('loi_id', 1))::text, %s::text, now(),"
                " l.deal_id, (SELECT max(id) FROM startup) FROM letter_of_intent l WHERE l.id = 1",
                (team.logins["manager"], staff),
            )
        conn.execute("ROLLBACK")


def test_a_login_of_another_irp_database_sees_and_changes_nothing_here(team: Team) -> None:
    other = f"{team.logins['staff']}_elsewhere"
    with psycopg.connect(PG_ADMIN, autocommit=True) as su:
        su.execute(f'CREATE ROLE "{other}" LOGIN IN ROLE irp_staff')
    try:
        with psycopg.connect(
            f"host={PG_HOST} port=5432 user={other} dbname={team.dbname}", autocommit=True
        ) as conn:
            for table in ("deal", "letter_of_intent", "audit_log", "notify_endpoint", "app_user"):
                assert _one(conn, f"SELECT count(*) FROM {table}") == 0, table
            assert conn.execute("UPDATE letter_of_intent SET amount_minor = 1").rowcount == 0
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as su:
            su.execute(f'DROP ROLE IF EXISTS "{other}"')


@pytest.mark.owner
def test_disabling_a_user_ends_its_open_sessions(team: Team) -> None:
    conn = team.raw("windcell")
    assert _one(conn, "SELECT count(*) FROM startup") == 1
    code, out, err = irp("user", "disable", team.logins["windcell"], db=team.url)
    assert code == 0 and "1 open session ended" in out, err
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT count(*) FROM startup")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        team.raw("windcell")


def test_the_startup_reads_no_foreign_statistics_of_values(team: Team) -> None:
    with psycopg.connect(
        f"host={PG_HOST} port=5432 user={OWNER} dbname={team.dbname}", autocommit=True
    ) as su:
        su.execute("ANALYZE")  # as the owner of the tables
    with team.raw("greengrid") as conn:
        seen = conn.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'").fetchall()
        assert {str(r[0]) for r in seen} <= {"alembic_version"}
        assert _one(conn, "SELECT count(*) FROM pg_stats_ext WHERE schemaname = 'public'") == 0


def test_the_signing_secret_is_sealed_and_never_shown(team: Team) -> None:
    code, out, err = irp(
        "notify",
        "add",
        "http://127.0.0.1:9/hook",
        "--name",
        "relay",
        "--header",
        "Authorization: Bearer tok-7d1e9c4b2a",
        db=team.login_url("staff"),
    )
    assert code == 0 and "whsec_" in out, err
    with team.raw("staff") as conn:
        secret, headers = conn.execute(
            "SELECT secret, headers FROM notify_endpoint WHERE name = 'relay'"
        ).fetchone()  # type: ignore[misc]
    # a value long enough that sealed (random base64) text cannot contain it by chance
    sealed_secret, sealed_headers = str(secret), str(headers)
    assert sealed_secret.startswith("fernet:") and "whsec_" not in sealed_secret
    assert "tok-7d1e9c4b2a" not in sealed_headers and "Bearer" not in sealed_headers
    with (
        team.raw("manager") as conn,
        pytest.raises(Refused, match="permission denied for table notify_endpoint"),
    ):
        conn.execute("SELECT secret FROM notify_endpoint")
    code, out, _ = irp("notify", "list", "--json", db=team.login_url("staff"))
    assert code == 0 and "Authorization" in out and "Bearer" not in out and "fernet" not in out
    with team.raw("staff") as conn:
        trail = conn.execute("SELECT old_value, new_value FROM audit_log WHERE field = 'secret'").fetchall()
    assert all("whsec" not in str(r) for r in trail)
