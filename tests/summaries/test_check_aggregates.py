"""``irp db check-aggregates``: finds totals and kept deal columns that drifted from the base
rows (here, rows written behind the application's back), names them, and ``--repair`` fixes them;
only staff may repair, and on PostgreSQL a startup reads only its own cells."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ir_pipeline.db import make_engine
from tests.conftest import as_owner, owner_url
from tests.test_cli import irp


def _behind_the_back(url: str, sql: str) -> None:
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(sa.text(sql))
    engine.dispose()


def test_agrees_on_the_demo_then_reports_and_repairs_drift(demo_db_url: str) -> None:
    code, out, _ = irp("db", "check-aggregates", db=demo_db_url)
    assert (code, out.strip()) == (
        0,
        "the funnel totals and the deals' kept columns agree with the base rows",
    )
    _behind_the_back(demo_db_url, "UPDATE letter_of_intent SET amount_minor = amount_minor + 1 WHERE id = 1")
    _behind_the_back(demo_db_url, "UPDATE deal SET next_follow_up_on = NULL WHERE id = 2")
    code, out, _ = irp("db", "check-aggregates", db=demo_db_url)
    assert code == 1
    assert "all deals: loi[" in out and "recomputed as" in out
    assert "2 deal(s) keep an out-of-date last LOI or next follow-up (#1, #2)" in out  # LOI 1 is on #1
    code, out, _ = irp("db", "check-aggregates", "--json", db=demo_db_url)
    assert code == 1 and json.loads(out)["differences"]
    assert irp("--as", "manager", "db", "check-aggregates", "--repair", db=demo_db_url)[0] == 1  # staff only
    code, out, err = irp("db", "check-aggregates", "--repair", db=demo_db_url)
    assert code == 0 and out.startswith("repaired "), err
    assert irp("db", "check-aggregates", db=demo_db_url)[0] == 0
    _, funnel_json, _ = irp("funnel", "--json", db=demo_db_url)
    assert json.loads(funnel_json)["lois"]["count"] == 26


@pytest.mark.postgres
def test_a_startup_login_reads_only_its_own_cells(pg_db: str) -> None:
    from ir_pipeline.enums import Role
    from tests.conftest import People

    with as_owner():  # the demo (with its users) is the owner's to load on a team database
        assert irp("demo", db=owner_url(pg_db))[0] == 0
    staff = make_engine(pg_db)
    with staff.begin() as c:
        startup = c.execute(sa.text("SELECT startup_id FROM app_user WHERE name = 'greengrid'")).scalar_one()
        total = c.execute(sa.text("SELECT count(*) FROM funnel_sum")).scalar_one()
    people = People(staff)
    try:
        login, _ = people("greengrid", Role.STARTUP, startup)
        with login.connect() as c:
            seen = c.execute(sa.text("SELECT DISTINCT scope, scope_id FROM funnel_sum")).all()
    finally:
        people.close()
        staff.dispose()
    assert total > len(seen) > 0
    assert set(seen) == {("s", startup)}
