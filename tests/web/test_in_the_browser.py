"""A share link as a founder opens it: Playwright drives Debian's Chromium against ``irp serve``
on 127.0.0.1. Every figure on the page matches ``irp funnel --startup S --json`` and ``irp loi
list --startup S --json``; every hostile name of the corpus and every classic XSS payload is shown
as text and runs nothing; the page prints to one A4 page with ten LOIs; on a phone's width
nothing needs sideways scrolling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.enums import ShareKind
from ir_pipeline.services import share_links
from ir_pipeline.stages import Stage
from tests.conftest import STAFF, fresh_sqlite_url
from tests.real_programs import find, needs
from tests.test_cli import irp
from tests.web.pages import (
    check_founder_page,
    check_hostile_page,
    every_hostile_name,
    serving,
    ten_hostile_lois,
)

pytestmark = needs("chromium", "pdfinfo")


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[str, str]]:
    engine = make_engine(sqlite_url)
    startup_id = ten_hostile_lois(engine)
    with unit_of_work(engine) as session:
        made = share_links.create_link(
            session, actor=STAFF, kind=ShareKind.STARTUP, name="", target_id=startup_id
        )
    with serving(engine) as base:
        yield f"{base}/share/{made.token}", sqlite_url
    engine.dispose()


def test_the_page_holds_the_figures_shows_names_as_text_and_prints_on_one_page(
    served: tuple[str, str], tmp_path: Path
) -> None:
    url, db = served
    check_founder_page(url, db, tmp_path)


@pytest.fixture
def demo_served(sqlite_demo_template: Path, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """The demo, with a startup whose investors carry every hostile name and XSS payload of the
    corpus; links to that startup and to the demo's event."""
    db = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    engine = make_engine(db)
    startup_id = every_hostile_name(engine)
    with unit_of_work(engine) as s:
        hostile = share_links.create_link(
            s, actor=STAFF, kind=ShareKind.STARTUP, name="", target_id=startup_id
        )
        event = share_links.create_link(s, actor=STAFF, kind=ShareKind.EVENT, name="WSCW")
    with serving(engine) as base:
        yield f"{base}/share/{hostile.token}", f"{base}/share/{event.token}", db
    engine.dispose()


def test_every_hostile_name_is_text_and_the_event_page_holds_the_funnel(
    demo_served: tuple[str, str, str],
) -> None:
    from playwright.sync_api import sync_playwright

    hostile_url, event_url, db = demo_served
    check_hostile_page(hostile_url)
    chromium = find("chromium")
    assert chromium is not None
    figures = json.loads(irp("funnel", "--event", "WSCW", "--json", db=db)[1])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
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
