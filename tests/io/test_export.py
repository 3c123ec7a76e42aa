"""Exports: Excel-safe CSV, typed XLSX, JSON, role scope, and export → import without loss."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.drafts import StartupDraft
from ir_pipeline.enums import Role
from ir_pipeline.io.export import export, neutralise
from ir_pipeline.io.importer import import_file
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.queries.lois import loi_page
from ir_pipeline.services import records
from tests.conftest import MANAGER, STAFF, fresh_sqlite_url


def export_text(engine: Engine, kind: str, fmt: str = "csv", actor: Actor = MANAGER) -> str:
    buffer = io.StringIO()
    with read_only(engine) as session:
        export(session, actor=actor, kind=kind, fmt=fmt, out=buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("safe", "safe"),
    ],
)
def test_formula_starts_are_neutralised(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_csv_has_a_bom_and_neutralises_formulas(demo_engine: Engine) -> None:
    with unit_of_work(demo_engine) as s:
        records.create_startup(s, actor=STAFF, draft=StartupDraft(name='=cmd|"/c calc"!A1', sector="@risk"))
    text = export_text(demo_engine, "startups")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    evil = next(r for r in rows if "cmd" in r["name"])
    assert evil["name"].startswith("'=") and evil["sector"] == "'@risk"


def test_xlsx_is_typed_with_a_frozen_header(demo_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "lois.xlsx"
    with read_only(demo_engine) as session:
        rows = export(session, actor=MANAGER, kind="lois", fmt="xlsx", out=path)
    assert rows == 26
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["startup", "investor", "amount", "currency"]
    amount = sheet.cell(row=2, column=3)
    assert isinstance(amount.value, int | float) and amount.number_format == '"₩"#,##0'
    received = sheet.cell(row=2, column=7)
    assert received.is_date and received.value.date() == date(2018, 9, 18)
    total = sum(Decimal(str(sheet.cell(row=r, column=3).value)) for r in range(2, 28))
    assert total == Decimal(17_150_000_000)


def test_xlsx_text_is_text_and_columns_fit(demo_engine: Engine, tmp_path: Path) -> None:
    """No visible apostrophe (a string cell is never a formula), and no ``###``: widths fit."""
    long_korean = "주식회사 " + "가나다라마바사" * 4
    with unit_of_work(demo_engine) as s:
        records.create_startup(s, actor=STAFF, draft=StartupDraft(name='=cmd|"/c calc"!A1', sector="@risk"))
        records.create_startup(s, actor=STAFF, draft=StartupDraft(name=long_korean))
    path = tmp_path / "startups.xlsx"
    with read_only(demo_engine) as session:
        export(session, actor=MANAGER, kind="startups", fmt="xlsx", out=path)
    sheet = load_workbook(path).active
    assert sheet is not None
    evil = next(row for row in sheet.iter_rows(min_row=2) if "cmd" in str(row[0].value))
    assert evil[0].value == '=cmd|"/c calc"!A1' and evil[0].data_type == "s"  # text, not a formula
    assert evil[1].value == "@risk"
    name_width = sheet.column_dimensions["A"].width
    assert name_width >= 2 * len("가나다라마바사" * 4)  # Korean counts double
    with read_only(demo_engine) as session:
        export(session, actor=MANAGER, kind="lois", fmt="xlsx", out=tmp_path / "lois.xlsx")
    lois_sheet = load_workbook(tmp_path / "lois.xlsx").active
    assert lois_sheet is not None
    assert lois_sheet.column_dimensions["C"].width >= len("₩1,000,000,000")  # amounts show whole


def test_json_export(demo_engine: Engine) -> None:
    data = json.loads(export_text(demo_engine, "deals", "json"))
    assert len(data) == 32 and data[0]["stage"] == "diligence"
    assert data[0]["last_loi"] == "1000000000" and data[0]["currency"] == "KRW"
    stages = json.loads(export_text(demo_engine, "funnel", "json"))
    # one row per stage, a column per currency: the columns sum to the totals
    assert [r["stage"] for r in stages][:3] == ["sourced", "pitched", "loi"]
    assert sum(int(r["amount_KRW"]) for r in stages if r["amount_KRW"]) == 17_150_000_000
    assert sum(int(r["converted"]) for r in stages if r["converted"]) == 17_150_000_000
    assert sum(r["deals"] for r in stages) == 32


def test_a_startup_user_exports_only_its_own_data(demo_engine: Engine) -> None:
    with read_only(demo_engine) as s:
        from ir_pipeline.lookup import resolve_startup

        greengrid = resolve_startup(s, "GreenGrid", actor=STAFF)
    actor = Actor("gg", Role.STARTUP, startup_id=greengrid.id)
    for kind in ("lois", "deals", "followups", "startups"):
        rows = list(csv.DictReader(io.StringIO(export_text(demo_engine, kind, actor=actor).lstrip("\ufeff"))))
        assert rows, kind
        names = {r.get("startup") or r.get("name") for r in rows}
        assert names == {"GreenGrid (demo)"}, kind


def test_export_then_import_round_trips(demo_engine: Engine, sqlite_template: Path, tmp_path: Path) -> None:
    files = {}
    for kind in ("events", "startups", "investors", "lois", "followups"):
        path = tmp_path / f"{kind}.csv"
        with read_only(demo_engine) as session:
            export(session, actor=MANAGER, kind=kind, fmt="csv", out=path)
        files[kind] = path
    target_dir = tmp_path / "target"
    target_dir.mkdir()
    target = make_engine(fresh_sqlite_url(sqlite_template, target_dir))
    try:
        for kind, path in files.items():
            with unit_of_work(target) as session:
                report = import_file(session, actor=STAFF, kind=kind, path=path)
            assert report.problems == [], kind
        with read_only(demo_engine) as a, read_only(target) as b:
            source, copy = funnel(a, actor=MANAGER).lois, funnel(b, actor=MANAGER).lois
            assert (copy.count, copy.startups, copy.investors) == (
                source.count,
                source.startups,
                source.investors,
            )
            assert copy.total.as_json() == {"KRW": "17150000000"}
            assert copy.by_status == source.by_status

            def key(x):  # type: ignore[no-untyped-def]
                return (
                    x.startup,
                    x.investor,
                    x.amount,
                    x.instrument,
                    x.received_on,
                    x.valid_until,
                    x.status,
                    x.conditions,
                    x.event,
                )

            assert sorted(map(key, loi_page(a, actor=MANAGER).rows)) == sorted(
                map(key, loi_page(b, actor=MANAGER).rows)
            )
        # and importing the same exports again changes nothing
        with unit_of_work(target) as session:
            assert import_file(session, actor=STAFF, kind="lois", path=files["lois"]).created == 0
    finally:
        target.dispose()


@pytest.mark.parametrize("kind", ["lois", "deals", "followups", "investors"])
def test_exports_walk_pages_by_cursor_without_losing_or_repeating_rows(
    demo_engine: Engine, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The large tables are exported a page at a time by keyset: with pages of 4 rows (several
    page boundaries on the demo data) the file is exactly the one-page file."""
    from ir_pipeline.io import sheets

    whole = export_text(demo_engine, kind)
    monkeypatch.setattr(sheets, "PAGE", 4)
    assert export_text(demo_engine, kind) == whole
    assert whole.count("\n") > 9  # really several pages
