"""Export → import → export of the demo, as a team moving its pipeline would do it: every kind
irp exports (events, startups, investors, deals, LOIs, fundings, follow-ups) imported into an
empty database in that order, and exported again. The files are byte for byte the same, and so
is ``irp funnel --json``; importing them once more changes nothing. On SQLite and on PostgreSQL
as the staff login."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PG_ADMIN, RUN, clone_pg, fresh_sqlite_url, pg_url
from tests.test_cli import irp

#: In the order an import needs them: names before what refers to them, deals before their LOIs.
KINDS = ("events", "startups", "investors", "deals", "lois", "fundings", "followups")


@pytest.fixture
def empty_target(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A second empty, migrated database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        target = tmp_path / "target"
        target.mkdir()
        yield fresh_sqlite_url(request.getfixturevalue("sqlite_template"), target)
        return
    name = f"irp_trip_{RUN}_{request.node.name[-12:].strip('[]')}".lower().replace("-", "_")
    clone_pg(request.getfixturevalue("pg_template"), name)
    yield pg_url(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def same_day(source: str, target: str) -> None:
    """The target stands on the source's day (when it has one), so validity and overdue read
    the same in both."""
    code, out, _ = irp("db", "as-of", "--json", db=source)
    assert code == 0
    day = json.loads(out)["as_of"]
    if day:
        assert irp("db", "as-of", day, db=target)[0] == 0


def export_all(db: str, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    for kind in KINDS:
        code, _out, err = irp("export", kind, "--format", "csv", "--out", str(folder / f"{kind}.csv"), db=db)
        assert code == 0, err
    return {kind: (folder / f"{kind}.csv").read_bytes() for kind in KINDS}


def funnel_json(db: str) -> dict[str, object]:
    code, out, err = irp("funnel", "--json", db=db)
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_the_demo_round_trips_byte_for_byte(demo_db_url: str, empty_target: str, tmp_path: Path) -> None:
    first = export_all(demo_db_url, tmp_path / "first")
    assert first["fundings"].count(b"\n") == 2 and b"funded" in first["deals"]
    same_day(demo_db_url, empty_target)
    for kind in KINDS:
        code, _out, err = irp("import", kind, str(tmp_path / "first" / f"{kind}.csv"), db=empty_target)
        assert code == 0, f"{kind}: {err}"
    second = export_all(empty_target, tmp_path / "second")
    for kind in KINDS:
        assert second[kind] == first[kind], f"{kind}.csv differs after the round trip"
    assert funnel_json(empty_target) == funnel_json(demo_db_url)
    for kind in KINDS:  # once more: everything is there already
        code, out, err = irp(
            "import", kind, str(tmp_path / "first" / f"{kind}.csv"), "--json", db=empty_target
        )
        assert code == 0, err
        assert json.loads(out)["created"] == 0 and json.loads(out)["updated"] == 0, kind
    code, out, _ = irp("db", "check-aggregates", db=empty_target)
    assert code == 0, out


DEALS = """startup,investor,stage,stage_date,reached,lost_from,lost_reason,owner
Alpha,Fund A,loi,2024-03-04,diligence,,,kim
Alpha,Fund B,lost,2024-02-01,,term_sheet,valuation gap,
Beta,Fund A,on_hold,2024-01-15,pitched,,,
"""


def test_an_imported_deal_starts_its_history_as_the_file_says(sqlite_url: str, tmp_path: Path) -> None:
    names = tmp_path / "startups.csv"
    names.write_text("name\nAlpha\nBeta\n", encoding="utf-8")
    funds = tmp_path / "investors.csv"
    funds.write_text("name\nFund A\nFund B\n", encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS, encoding="utf-8")
    for kind, path in (("startups", names), ("investors", funds), ("deals", deals)):
        code, _out, err = irp("import", kind, str(path), db=sqlite_url)
        assert code == 0, err
    code, out, _ = irp("deal", "show", "1", "--json", db=sqlite_url)
    shown = json.loads(out)
    (opening,) = shown["history"]
    assert (opening["from_stage"], opening["to_stage"]) == (None, "loi")
    assert opening["changed_at"].startswith("2024-03-04")
    stages = {s["stage"]: s for s in funnel_json(sqlite_url)["stages"]}
    # reached as the file says: the stepped-back deal counts up to diligence, the lost one up
    # to the term sheet it was lost from; the deal on hold had been pitched
    assert [stages[s]["reached"] for s in ("sourced", "pitched", "loi", "diligence", "term_sheet")] == [
        3,
        3,
        2,
        2,
        1,
    ]
    assert stages["term_sheet"]["lost_from"] == 1
    # a later move taken back returns the deal to the state the file gave it
    assert irp("deal", "move", "1", "lost", "--reason", "passed", db=sqlite_url)[0] == 0
    assert irp("deal", "revert", "1", "--reason", "typo", db=sqlite_url)[0] == 0
    again = {s["stage"]: s for s in funnel_json(sqlite_url)["stages"]}
    assert again == stages


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        ("Alpha,Fund A,lost,2024-02-01,,loi,,", "lost_reason", "reason is required"),
        ("Alpha,Fund A,diligence,2024-02-01,loi,,,", "reached", "has reached Diligence at least"),
        ("Alpha,Fund A,loi,2024-02-01,,loi,,", "lost_from", "is for a lost deal"),
        ("Alpha,Fund A,won,2024-02-01,,,,", "stage", "won"),
    ],
)
def test_a_deal_the_rules_refuse_names_its_line_and_column(
    sqlite_url: str, tmp_path: Path, row: str, column: str, says: str
) -> None:
    for kind, text in (("startups", "name\nAlpha\n"), ("investors", "name\nFund A\n")):
        (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
        assert irp("import", kind, str(tmp_path / f"{kind}.csv"), db=sqlite_url)[0] == 0
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS.splitlines()[0] + "\n" + row + "\n", encoding="utf-8")
    code, out, err = irp("import", "deals", str(deals), db=sqlite_url)
    assert code == 1
    assert f"line 2, column {column}:" in out + err and says in out + err
    code, out, _ = irp("deal", "list", "--json", db=sqlite_url)
    assert json.loads(out)["total"] == 0  # nothing written


def test_the_xlsx_files_round_trip_to_the_same_funnel(
    sqlite_demo_template: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    source = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    (tmp_path / "target").mkdir()
    target = fresh_sqlite_url(sqlite_template, tmp_path / "target")
    same_day(source, target)
    for kind in KINDS:
        path = tmp_path / f"{kind}.xlsx"
        assert irp("export", kind, "--format", "xlsx", "--out", str(path), db=source)[0] == 0
        code, _out, err = irp("import", kind, str(path), db=target)
        assert code == 0, f"{kind}: {err}"
    assert funnel_json(target) == funnel_json(source)
