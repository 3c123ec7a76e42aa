"""One converted figure, the same on every surface: the dashboard, ``irp funnel --json``, the
event report and the XLSX export; and the TUI's rate age and its palette command to update."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from textual.widgets import Static

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import InvestorDraft, LoiDraft
from ir_pipeline.fx import service as fx
from ir_pipeline.fx.stored import list_rates
from ir_pipeline.money import Money, format_symbol
from ir_pipeline.services import lois, records
from ir_pipeline.services.database_date import set_as_of
from tests.conftest import STAFF
from tests.fx.rates_server import rates_server
from tests.test_cli import irp
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.commands import IrpCommands

EVENT = "WSCW 2018 IR Session"
D = __import__("datetime").date(2018, 9, 19)


def add_foreign_lois(engine: Engine) -> None:
    """Dollars, euros and yuan beside the demo's won, all on the demo event; no yuan rate."""
    with unit_of_work(engine) as s:
        fx.set_rate(s, actor=STAFF, currency="USD", rate=Decimal("1380.5"), day=D)
        fx.set_rate(s, actor=STAFF, currency="EUR", rate=Decimal("1311.23"), day=D)
        for name, amount in (("Pacific Bridge Capital", "$2,000,000.00"), ("Rhein Seed", "EUR 750,000.50")):
            records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=name))
            lois.add_loi_by_names(
                s,
                actor=STAFF,
                startup="AirSense (demo)",
                investor=name,
                event=EVENT,
                draft=LoiDraft(Money.parse(amount), D),
            )
        records.create_investor(s, actor=STAFF, draft=InvestorDraft(name="Shenzhen Angels"))
        lois.add_loi_by_names(
            s,
            actor=STAFF,
            startup="ParkMate (demo)",
            investor="Shenzhen Angels",
            event=EVENT,
            draft=LoiDraft(Money.parse("CNY 500,000"), D),
        )


def text_of(app: IrpApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_the_converted_total_matches_across_every_surface(
    sqlite_demo: Engine, app_as: Callable[[str], IrpApp], tmp_path: Path
) -> None:
    add_foreign_lois(sqlite_demo)
    url = str(sqlite_demo.url)
    code, out, err = irp("funnel", "--json", db=url)
    assert code == 0, err
    everything = json.loads(out)["lois"]
    code, out, _ = irp("funnel", "--json", "--event", EVENT, db=url)
    event = json.loads(out)["lois"]
    assert everything["converted"] == event["converted"]  # every LOI is on the event
    converted = event["converted"]
    expected = 17_150_000_000 + 2_761_000_000 + round(Decimal("750000.50") * Decimal("1311.23"))
    assert converted["amount"] == str(expected)
    assert converted["missing"] == [{"currency": "CNY", "amount": "500000.00", "records": 1}]
    assert event["total"] == {
        "CNY": "500000.00",
        "EUR": "750000.50",
        "KRW": "17150000000",
        "USD": "2000000.00",
    }
    figure = format_symbol(Money(expected, "KRW"))

    # the event report, Markdown and HTML
    code, out, _ = irp("report", "event", EVENT, db=url)
    assert code == 0 and f"≈ {figure}" in out and "excluding CN¥500,000.00" in out
    code, out, _ = irp("report", "event", EVENT, "--format", "html", db=url)
    assert f"≈ {figure}" in out

    # the XLSX export: the same figure as a typed number, and the stages adding up to it
    sheet_path = tmp_path / "funnel.xlsx"
    assert irp("export", "funnel", "--format", "xlsx", "--out", str(sheet_path), db=url)[0] == 0
    workbook = load_workbook(sheet_path)
    rows = list(workbook["funnel"].iter_rows(values_only=True))
    header = rows[0]
    at = {name: header.index(name) for name in ("stage", "converted", "converted_currency", "not_converted")}
    totals = list(workbook["totals"].iter_rows(values_only=True))
    total_at = {name: totals[0].index(name) for name in ("converted", "converted_currency", "not_converted")}
    total_row = next(r for r in totals if r[0] == "lois_total")
    total_row = tuple(total_row[total_at[name]] if name in total_at else None for name in header)
    assert (
        Decimal(str(total_row[at["converted"]])) == expected and total_row[at["converted_currency"]] == "KRW"
    )
    assert "CN¥500,000.00" in total_row[at["not_converted"]]
    stage_rows = rows[1:]  # the stages alone: their column sums to the total
    assert sum(Decimal(str(r[at["converted"]] or 0)) for r in stage_rows) == expected

    # the dashboard
    app = app_as("manager")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        headline = text_of(app, "#headline")
    assert f"≈ {figure}" in headline and "excluding CN¥500,000.00" in headline
    assert "Exchange rates to 2018-10-08" in headline  # the newest stored: the demo's

    # and all of them in dollars for a foreign investor
    code, out, _ = irp("funnel", "--json", "--base", "USD", db=url)
    usd = json.loads(out)["lois"]["converted"]
    assert usd["currency"] == "USD"
    code, out, _ = irp("report", "event", EVENT, "--base", "USD", db=url)
    assert f"≈ {format_symbol(Money(Decimal(usd['amount']), 'USD'))}" in out


async def test_the_palette_updates_rates_and_the_dashboard_shows_their_age(
    sqlite_demo: Engine, app_as: Callable[[str], IrpApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_foreign_lois(sqlite_demo)
    with rates_server() as server:
        monkeypatch.setenv("IRP_FX_URL", server.base("frankfurter"))
        with unit_of_work(sqlite_demo) as s:  # the last week is the server's week
            set_as_of(s, actor=STAFF, day=date(2018, 9, 21))
        app = app_as("staff")
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            provider = IrpCommands(app.screen)
            hits = [hit async for hit in provider.search("exchange")]
            hit = next(h for h in hits if "Update exchange rates" in str(h.match_display))
            hit.command()
            await settle(pilot)
            notices = [str(n.message) for n in app._notifications]
        # the manual rates of the 19th and the demo's of the 17th are replaced by the service's
        # (the audit keeps them), the yuan LOI gets the snapshot it was waiting for, and the
        # snapshots already taken stay as they were
        assert any(
            "25 fetched: 20 rates added, 5 changed" in n
            and "1 record got the snapshot" in n
            and "keep an older rate" in n
            for n in notices
        ), notices
        assert len(server.paths) == 5  # one range per currency
    with read_only(sqlite_demo) as s:
        assert {r.base for r in list_rates(s, limit=100)} == {"USD", "EUR", "JPY", "CNY", "GBP"}
    app = app_as("manager")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        headline = text_of(app, "#headline")
    # the yuan LOI got its snapshot when the rates came; the line says how current they are
    assert "excluding" not in headline and "Exchange rates to 2018-10-08, fetched 0 min ago" in headline, (
        headline
    )


async def test_managers_are_not_offered_a_rate_update(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("manager")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        hits = [hit async for hit in IrpCommands(app.screen).search("exchange")]
        assert not any("Update exchange rates" in str(h.match_display) for h in hits)
