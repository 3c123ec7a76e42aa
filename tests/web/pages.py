"""What the browser tests of share pages share, on SQLite and on PostgreSQL as the portal: the
data they are made of (a startup with ten LOIs from investors named by the hostile corpus; one
whose investors carry every hostile name and XSS payload), a uvicorn serving the app on
127.0.0.1, and the checks Chromium makes of a founder's page (through Playwright)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import uvicorn
from sqlalchemy.engine import Engine

from ir_pipeline.db import unit_of_work
from ir_pipeline.drafts import InvestorDraft, StartupDraft
from ir_pipeline.money import Money, format_symbol
from ir_pipeline.services import deals, lois, records
from ir_pipeline.web.app import make_app
from ir_pipeline.web.guard import Attempts
from tests.conftest import STAFF
from tests.helpers import loi
from tests.io.corpus import HOSTILE_NAMES
from tests.io.test_reports_in_chromium import PAYLOADS
from tests.local_http import free_port
from tests.real_programs import find, run
from tests.test_cli import irp

STARTUP = "(주)스마트그리드 <b>솔루션즈</b>"
HOSTILE = "Hostile Names Ltd"
NAMES = [*HOSTILE_NAMES, *PAYLOADS]


def ten_hostile_lois(engine: Engine) -> int:
    """A startup with ten LOIs, its investors named by the hostile corpus; its id."""
    with unit_of_work(engine) as s:
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name=STARTUP, sector="<i>x</i>"))
        for n, name in enumerate(NAMES[:10]):
            investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"{name} #{n}"))
            deal = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
            day = date(2026, 9, 1) + timedelta(days=n)
            lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi(f"{n + 1}억 5천만", day, conditions=name))
        return startup.id


def every_hostile_name(engine: Engine) -> int:
    """A startup whose investors carry every hostile name and XSS payload; its id."""
    with unit_of_work(engine) as s:
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name=HOSTILE))
        for n, name in enumerate(NAMES):
            investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"{name} all{n}"))
            deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
        return startup.id


@contextmanager
def serving(engine: Engine, attempts: Attempts | None = None) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 under uvicorn; its base URL."""
    port = free_port()
    app = make_app(engine, attempts=attempts or Attempts())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        thread.join(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def check_founder_page(url: str, db: str, folder: Path) -> None:
    """The ten-LOI startup's page in Chromium: its figures are those of ``irp funnel --startup``
    and ``irp loi list --startup`` (read from ``db`` as staff), nothing runs, it prints on one A4
    page, and a phone's width needs no sideways scrolling."""
    from playwright.sync_api import sync_playwright

    chromium = find("chromium")
    assert chromium is not None, "IRP_REQUIRE_PROGRAMS is set but chromium is not on PATH"
    funnel = json.loads(irp("funnel", "--startup", "스마트그리드", "--json", db=db)[1])["lois"]
    rows = json.loads(irp("loi", "list", "--startup", "스마트그리드", "--json", db=db)[1])["lois"]
    assert len(rows) == 10
    pdf = folder / "page.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(url)
            text = page.inner_text("body")
            assert page.evaluate("document.documentElement.dataset.pwned") is None  # nothing ran
            assert page.locator("script").count() == 0
            assert STARTUP in text and f"LOIs {funnel['count']}건" in text
            cells = page.locator("td").all_inner_texts()
            for row in rows:  # each LOI: its investor's name as written, its amount in won
                assert row["investor"] in cells
                amount = Money(Decimal(row["amount"]["amount"]), row["amount"]["currency"])
                assert format_symbol(amount) in text
            assert format_symbol(Money(Decimal(funnel["total"]["KRW"]), "KRW")) in text
            page.pdf(path=str(pdf), format="A4")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(url)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        finally:
            browser.close()
    info = run("pdfinfo", str(pdf))
    assert "Pages:           1" in info, info
    assert overflow <= 1, f"the page is {overflow}px wider than a phone"


def check_hostile_page(url: str) -> None:
    """Every hostile name and payload shows as the characters it is, and nothing runs."""
    from playwright.sync_api import sync_playwright

    chromium = find("chromium")
    assert chromium is not None, "IRP_REQUIRE_PROGRAMS is set but chromium is not on PATH"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(url)
            cells = page.locator("td").all_inner_texts()
            for n, name in enumerate(NAMES):
                assert f"{name} all{n}" in cells, name
            assert page.evaluate("document.documentElement.dataset.pwned") is None
            assert page.locator("script, iframe, svg[onload], img[onerror], details, a[href]").count() == 0
        finally:
            browser.close()
