"""Destructive commands are staff-only, confirmed and backed up; backups restore exactly;
a database moves between SQLite and PostgreSQL with every id and figure intact."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ir_pipeline.cli.main import app
from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.drafts import InvestorDraft, StartupDraft
from ir_pipeline.io.importer import import_file
from ir_pipeline.services import records
from tests.conftest import STAFF, fresh_sqlite_url

runner = CliRunner()


def irp(*args: str, db: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _data(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def demo_db(sqlite_demo_template: Path, tmp_path: Path) -> str:
    """A database holding the demo, as `irp demo` leaves it."""
    return fresh_sqlite_url(sqlite_demo_template, tmp_path)


@pytest.mark.parametrize("who", ["manager", "greengrid", "nobody_at_all"])
@pytest.mark.parametrize(
    "command",
    [
        ("demo", "--force", "--yes"),
        ("db", "downgrade", "base", "--yes"),
        ("db", "restore", "x.sqlite3", "--yes"),
    ],
)
def test_only_staff_may_destroy_and_others_change_nothing(
    demo_db: str, who: str, command: tuple[str, ...]
) -> None:
    before = _data(_path(demo_db))
    code, _, err = irp("--as", who, *command, db=demo_db)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert _data(_path(demo_db)) == before
    assert not (_path(demo_db).parent / "backups").exists()


def test_staff_must_confirm_and_a_backup_comes_first(demo_db: str) -> None:
    before = _data(_path(demo_db))
    code, _, err = irp("demo", "--force", db=demo_db)  # no terminal here
    assert code == 1 and "--yes" in err and _data(_path(demo_db)) == before
    code, _, err = irp("demo", "--force", "--yes", db=demo_db)
    assert code == 0, err
    backups = list((_path(demo_db).parent / "backups").glob("*.sqlite3"))
    assert len(backups) == 1 and "Backup written to" in err
    erased = [line for line in _data(_path(demo_db)) if "'erase'" in line]
    assert erased, "the erase is in the audit trail"


def test_backup_and_restore_bring_the_data_back_exactly(demo_db: str, tmp_path: Path) -> None:
    original = _data(_path(demo_db))
    _, funnel_before, _ = irp("funnel", "--json", db=demo_db)
    target = tmp_path / "saved.sqlite3"
    code, out, err = irp("db", "backup", str(target), db=demo_db)
    assert code == 0 and str(target) in out, err
    assert irp("loi", "edit", "1", "--amount", "99억", db=demo_db)[0] == 0
    assert irp("--as", "manager", "db", "restore", str(target), "--yes", db=demo_db)[0] == 1
    code, _, err = irp("db", "restore", str(target), "--yes", db=demo_db)
    assert code == 0, err
    restored = _data(_path(demo_db))
    con = sqlite3.connect(_path(demo_db))
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    # every table as it was; the trail adds one row saying that a restore happened
    assert [line for line in restored if "audit_log" not in line] == [
        line for line in original if "audit_log" not in line
    ]
    extra = set(restored) - set(original)
    assert len(extra) == 1 and "'restore'" in extra.pop()
    _, funnel_after, _ = irp("funnel", "--json", db=demo_db)
    assert json.loads(funnel_after) == json.loads(funnel_before)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    code, _, err = irp("db", "restore", str(bad), "--yes", db=demo_db)
    assert code == 1 and err.count("\n") == 1


def _grow(url: str, n: int, folder: Path) -> None:
    """The demo plus ``n`` generated LOIs: the companies through the services, the LOIs by the
    importer (one transaction, as a team brings in an event's LOIs)."""
    engine = make_engine(url)
    rng = random.Random(8)
    lines = ["startup,investor,amount,received_on"]
    lines += [
        f"Gen Startup {rng.randrange(50)},Gen Investor {rng.randrange(40)},"
        f"{rng.randint(1, 900) * 1_000_000 + i},2026-01-{1 + i % 28:02d}"  # each row its own
        for i in range(n)
    ]
    path = folder / "generated-lois.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        with unit_of_work(engine) as session:
            for i in range(50):
                records.create_startup(session, actor=STAFF, draft=StartupDraft(name=f"Gen Startup {i}"))
            for i in range(40):
                records.create_investor(session, actor=STAFF, draft=InvestorDraft(name=f"Gen Investor {i}"))
            report = import_file(session, actor=STAFF, kind="lois", path=path)
        assert report.created == n and not report.problems, report
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.owner  # `irp db copy` is the owner's: the copied rows keep the trail they had
def test_copy_sqlite_to_postgresql_and_back(demo_db: str, empty_pg_url: str, tmp_path: Path) -> None:
    _grow(demo_db, 10_000, tmp_path)
    _, funnel_sqlite, _ = irp("funnel", "--json", db=demo_db)
    code, out, err = irp("db", "copy", "--to", empty_pg_url, "--json", db=demo_db)
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["letter_of_intent"] == 26 + 10_000
    _, funnel_pg, _ = irp("funnel", "--json", db=empty_pg_url)
    assert json.loads(funnel_pg) == json.loads(funnel_sqlite)
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    code, out, err = irp("db", "copy", "--from", empty_pg_url, "--json", db=back)
    assert code == 0, err
    assert json.loads(out)["counts"] == counts
    _, funnel_back, _ = irp("funnel", "--json", db=back)
    assert json.loads(funnel_back) == json.loads(funnel_sqlite)
    # sequences were reset: a new LOI on PostgreSQL gets a fresh id
    code, out, err = irp(
        "loi",
        "add",
        "--startup",
        "windcell",
        "--investor",
        "hanbit",
        "--amount",
        "1억",
        "--json",
        db=empty_pg_url,
    )
    assert code == 0 and json.loads(out)["id"] > counts["letter_of_intent"], err
    code, _, err = irp("db", "copy", "--to", empty_pg_url, db=demo_db)
    assert code == 1 and "not empty" in err


def test_startup_look_ups_never_name_another_company(demo_db: str) -> None:
    foreign = ["WindCell", "AirSense", "Mobility Lab", "ParkMate", "CityTwin", "SafeWalk", "WaterLoop"]
    foreign_investors_sample = ["Urban Mobility CVC", "Pacific Bridge"]
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for args in (
            ("deal", "list", "--startup", letter),
            ("deal", "list", "--investor", letter),
            ("funnel", "--event", letter),
            ("loi", "list", "--startup", letter),
            ("report", "startup", letter),
        ):
            _, out, err = irp("--as", "greengrid", *args, db=demo_db)
            leaked = [n for n in foreign + foreign_investors_sample if n in out + err]
            assert leaked == [], (args, err)
