"""A share link as a founder opens it: Playwright drives Debian's Chromium against ``irp serve``
on 127.0.0.1. Every figure on the page matches ``irp funnel --startup S --json`` and ``irp loi
list --startup S --json``; every hostile name of the corpus and every classic XSS payload is shown
as text and runs nothing; the page prints to one A4 page with ten LOIs; on a phone's width
nothing needs sideways scrolling."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.drafts import InvestorDraft, StartupDraft
from ir_pipeline.enums import ShareKind
from ir_pipeline.money import Money, format_symbol
from ir_pipeline.services import deals, lois, records, share_links
from ir_pipeline.stages import Stage
from ir_pipeline.web.app import make_app
from ir_pipeline.web.guard import Attempts
from tests.conftest import STAFF, fresh_sqlite_url
from tests.helpers import loi
from tests.io.corpus import HOSTILE_NAMES
from tests.io.test_reports_in_chromium import PAYLOADS
from tests.local_http import free_port
from tests.real_programs import find, needs, run
from tests.test_cli import irp

pytestmark = needs("chromium", "pdfinfo")
STARTUP = "(주)스마트그리드 <b>솔루션즈</b>"


def ten_hostile_lois(engine: Engine) -> None:
    """A startup with ten LOIs, its investors named by the hostile corpus and XSS payloads."""
    names = [*HOSTILE_NAMES, *PAYLOADS][:10]
    with unit_of_work(engine) as s:
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name=STARTUP, sector="<i>x</i>"))
        for n, name in enumerate(names):
            investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"{name} #{n}"))
            deal = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
            day = date(2026, 9, 1) + timedelta(days=n)
            lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi(f"{n + 1}억 5천만", day, conditions=name))


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[str, str]]:
    engine = make_engine(sqlite_url)
    ten_hostile_lois(engine)
    with unit_of_work(engine) as session:
        made = share_links.create_link(session, actor=STAFF, kind=ShareKind.STARTUP, name="스마트그리드")
    port = free_port()
    config = uvicorn.Config(
        make_app(engine, attempts=Attempts()), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        thread.join(0.01)
    yield f"http://127.0.0.1:{port}/share/{made.token}", sqlite_url
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def test_the_page_holds_the_figures_shows_names_as_text_and_prints_on_one_page(
    served: tuple[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    url, db = served
    chromium = find("chromium")
    assert chromium is not None
    funnel = json.loads(irp("funnel", "--startup", "스마트그리드", "--json", db=db)[1])["lois"]
    listed = json.loads(irp("loi", "list", "--startup", "스마트그리드", "--json", db=db)[1])
    rows = listed["lois"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(url)
            text = page.inner_text("body")
            assert page.evaluate("document.documentElement.dataset.pwned") is None  # nothing ran
            assert page.locator("script").count() == 0
            assert STARTUP in text and f"LOIs {funnel['count']}건" in text
            assert len(rows) == 10
            cells = page.locator("td").all_inner_texts()
            for row in rows:  # each LOI: its investor's name as written, its amount in won
                assert row["investor"] in cells
                amount = Money(Decimal(row["amount"]["amount"]), row["amount"]["currency"])
                assert format_symbol(amount) in text
            assert format_symbol(Money(Decimal(funnel["total"]["KRW"]), "KRW")) in text
            pdf = tmp_path / "page.pdf"
            page.pdf(path=str(pdf), format="A4")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(url)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        finally:
            browser.close()
    info = run("pdfinfo", str(pdf))
    assert "Pages:           1" in info, info
    assert overflow <= 1, f"the page is {overflow}px wider than a phone"


HOSTILE = "Hostile Names Ltd"


@pytest.fixture
def demo_served(sqlite_demo_template: Path, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """The demo, with a startup whose investors carry every hostile name and XSS payload of the
    corpus; links to that startup and to the demo's event."""
    db = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    engine = make_engine(db)
    with unit_of_work(engine) as s:
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name=HOSTILE))
        for n, name in enumerate([*HOSTILE_NAMES, *PAYLOADS]):
            investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"{name} ~{n}"))
            deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
        hostile = share_links.create_link(
            s, actor=STAFF, kind=ShareKind.STARTUP, name="", target_id=startup.id
        )
        event = share_links.create_link(s, actor=STAFF, kind=ShareKind.EVENT, name="WSCW")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        thread.join(0.01)
    base = f"http://127.0.0.1:{port}/share/"
    yield base + hostile.token, base + event.token, db
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def test_every_hostile_name_is_text_and_the_event_page_holds_the_funnel(
    demo_served: tuple[str, str, str],
) -> None:
    from playwright.sync_api import sync_playwright

    hostile_url, event_url, db = demo_served
    chromium = find("chromium")
    assert chromium is not None
    figures = json.loads(irp("funnel", "--event", "WSCW", "--json", db=db)[1])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(hostile_url)
            cells = page.locator("td").all_inner_texts()
            for n, name in enumerate([*HOSTILE_NAMES, *PAYLOADS]):
                assert f"{name} ~{n}" in cells, name  # shown as the characters it is
            assert page.evaluate("document.documentElement.dataset.pwned") is None
            assert page.locator("script, iframe, svg[onload], img[onerror], details, a[href]").count() == 0
            page.goto(event_url)
            rows = page.locator("section").first.locator("tbody tr").all()
            shown = {r.locator("td").first.inner_text(): r.locator("td").all_inner_texts() for r in rows}
        finally:
            browser.close()
    for stage in figures["stages"]:
        label = Stage(stage["stage"]).label
        _, deals_now, reached, onward, dropped, _amount = shown[label]
        assert int(deals_now) == stage["deals"]
        assert reached == ("" if stage["reached"] is None else str(stage["reached"]))
        ratio = stage["conversion"]
        assert onward == ("" if ratio is None else f"{Decimal(ratio) * 100:.1f}%")
        assert dropped == ("" if stage["dropped"] is None else str(stage["dropped"]))
