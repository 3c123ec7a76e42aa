"""The demo tells one story in time, on SQLite and on PostgreSQL (as the staff login): it stands on
its press release's day, keeps the headline figures, and no LOI is "received" past its validity,
no follow-up falls due far from that day, no deal has sat in its stage for years."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from ir_pipeline.demo import AS_OF
from tests.conftest import TODAY
from tests.test_cli import irp


def read(*args: str, db: str) -> dict[str, object]:
    code, out, err = irp(*args, "--json", db=db)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_the_demo_stands_on_its_press_release_s_day(demo_db_url: str) -> None:
    assert read("db", "as-of", db=demo_db_url)["as_of"] == "2018-10-10" == AS_OF.isoformat()
    lois = read("funnel", db=demo_db_url)["lois"]
    assert isinstance(lois, dict)
    assert (lois["count"], lois["startups"], lois["total"]) == (26, 8, {"KRW": "17150000000"})
    assert lois["by_status"] == {"received": 23, "converted": 1, "withdrawn": 1, "expired": 1}

    rows = read("loi", "list", "--limit", "100", db=demo_db_url)["lois"]
    assert isinstance(rows, list) and len(rows) == 26
    for loi in rows:
        until = date.fromisoformat(loi["valid_until"])
        if loi["status"] == "received":
            assert until >= AS_OF, loi  # nothing shown as standing past its validity
        if loi["status"] == "expired":
            assert until < AS_OF, loi
    ending = [
        x
        for x in rows
        if x["status"] == "received" and (date.fromisoformat(x["valid_until"]) - AS_OF).days <= 7
    ]
    assert [(x["investor"], x["valid_until"]) for x in ending] == [("Mirae Green Bank (demo)", "2018-10-15")]
    assert {x["status"] for x in rows if x["deal_id"] == 6} == {"converted"}  # the funded deal's

    deals = read("deal", "list", "--limit", "100", db=demo_db_url)["deals"]
    assert isinstance(deals, list) and len(deals) == 32
    for deal in deals:
        moved = datetime.fromisoformat(deal["stage_changed_at"]).date()
        assert AS_OF - timedelta(days=30) <= moved <= AS_OF, deal  # days to weeks, never years

    queue = read("followups", "--all", db=demo_db_url)
    assert queue["overdue"] == 3
    follow_ups = queue["follow_ups"]
    assert isinstance(follow_ups, list)
    for item in follow_ups:
        assert abs((date.fromisoformat(item["due_on"]) - AS_OF).days) <= 21, item


def test_a_database_moved_on_sees_its_lois_lapse_and_back(demo_db_url: str) -> None:
    assert irp("db", "as-of", "--clear", db=demo_db_url)[0] == 0
    assert read("db", "as-of", db=demo_db_url)["as_of"] is None
    lois = read("funnel", db=demo_db_url)["lois"]
    assert isinstance(lois, dict)
    # on the calendar (the tests' TODAY, years later) every standing LOI has lapsed
    assert date(2019, 1, 1) < TODAY
    assert lois["by_status"] == {"converted": 1, "withdrawn": 1, "expired": 24}
    code, out, _ = irp("db", "as-of", "2018-10-10", db=demo_db_url)
    assert code == 0 and "stands on 2018-10-10" in out
    lois = read("funnel", db=demo_db_url)["lois"]
    assert isinstance(lois, dict) and lois["by_status"]["received"] == 23
    code, _, err = irp("db", "as-of", "2018-10-10", "--clear", db=demo_db_url)
    assert code == 1 and err.startswith("irp: ") and err.count("\n") == 1
