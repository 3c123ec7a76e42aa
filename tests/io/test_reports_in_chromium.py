"""Reports opened in a real browser: every name a known XSS payload, and no script runs.

Each payload, if it ever ran, would mark the page (``data-pwned`` on ``<html>``, or the title).
Headless Chromium loads the report, lets it run, and hands back the DOM it ended with; the test
asserts on that DOM (no mark, no script element, no ``on…`` handler, no ``javascript:`` URL),
not on the report's text. The Markdown report is checked the same way, rendered to HTML by a
CommonMark renderer with raw HTML allowed (the most permissive way a viewer could show it).

Chromium comes from the system's packages (Debian's ``chromium``; ``.ci/run`` installs it): the
test installs nothing itself and skips, saying so, where it is absent.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.drafts import EventDraft, FollowUpDraft, InvestorDraft, StartupDraft
from ir_pipeline.io.reports import event_report, render, startup_report
from ir_pipeline.services import deals, followups, lois, records
from tests.conftest import MANAGER, STAFF
from tests.helpers import loi

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: CI sets this: there a missing browser fails the tests instead of skipping them.
REQUIRED = os.environ.get("IRP_REQUIRE_CHROMIUM") == "1"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED,
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does)",
)

MARK = "document.documentElement.dataset.pwned=1"
#: Known XSS vectors (OWASP cheat sheet and PortSwigger classics), each as a name would carry it.
PAYLOADS = [
    f"<script>{MARK}</script>",
    f'"><img src=x onerror="{MARK}">',
    f'Xss" onload="{MARK}" x="',
    f"<svg onload={MARK}>",
    f"<img src=x onerror={MARK}>",
    f"</title><script>{MARK}</script>",
    f"'><details open ontoggle={MARK}>",
    f'<iframe srcdoc="<script>parent.{MARK}</script>">',
    f"<a href=javascript:{MARK}>click me</a>",
    f"[click me](javascript:{MARK})",
    f'![logo](x" onerror="{MARK})',
    f"<style>@import 'javascript:{MARK}'</style>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={MARK}>",
    f"javascript:{MARK}",
    "{{7*7}} ${7*7} <%= 7*7 %>",
]


def browser_dom(page: Path) -> str:
    """The DOM Chromium ends with after loading ``page`` and running whatever it would run."""
    assert CHROMIUM is not None, "IRP_REQUIRE_CHROMIUM is set but no chromium is on PATH"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert re.search(r"<(html|svg)\b", result.stdout), result.stderr[-2000:]
    return result.stdout


class Dom(HTMLParser):
    """What the final DOM holds that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.handlers: list[tuple[str, str]] = []
        self.script_urls: list[str] = []
        self.marked = False
        self.images: list[str] = []
        self.frames = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag in ("iframe", "frame", "object", "embed"):
            self.frames += 1
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name == "data-pwned":
                self.marked = True
            url = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name in ("href", "src", "action", "formaction", "xlink:href") and url.startswith(
                ("javascript:", "vbscript:")
            ):
                self.script_urls.append(value or "")


def assert_inert(html_page: Path) -> Dom:
    dom = Dom()
    dom.feed(browser_dom(html_page))
    assert not dom.marked, "a payload ran"
    assert dom.scripts == 0 and dom.frames == 0
    assert dom.handlers == [] and dom.script_urls == []
    return dom


@pytest.fixture
def hostile_engine(sqlite_url: str) -> Engine:
    """A pipeline where every name, sector, venue and note is an XSS payload."""
    engine = make_engine(sqlite_url)
    with unit_of_work(engine) as s:
        event = records.create_event(
            s,
            actor=STAFF,
            draft=EventDraft(name=PAYLOADS[1], starts_on=date(2018, 9, 19), venue=PAYLOADS[2]),
        )
        startup = records.create_startup(
            s, actor=STAFF, draft=StartupDraft(name=PAYLOADS[0], sector=PAYLOADS[3], description=PAYLOADS[4])
        )
        for index, payload in enumerate(PAYLOADS):
            investor = records.create_investor(
                s, actor=STAFF, draft=InvestorDraft(name=f"{payload} #{index}")
            )
            deal = deals.open_deal(
                s, actor=STAFF, startup_id=startup.id, investor_id=investor.id, event_id=event.id
            )
            lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi("1억", conditions=payload))
            followups.add_follow_up(
                s, actor=STAFF, deal_id=deal.id, draft=FollowUpDraft(due_on=date(2026, 12, 1), note=payload)
            )
        for index, payload in enumerate(PAYLOADS[5:]):
            other = records.create_startup(
                s, actor=STAFF, draft=StartupDraft(name=f"{payload} startup {index}")
            )
            investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"investor {index}"))
            deal = deals.open_deal(
                s, actor=STAFF, startup_id=other.id, investor_id=investor.id, event_id=event.id
            )
            lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi("2억"))
    return engine


def test_html_reports_run_no_script_in_chromium(hostile_engine: Engine, tmp_path: Path) -> None:
    with read_only(hostile_engine) as s:
        pages = {
            "startup.html": render(startup_report(s, actor=MANAGER, name=PAYLOADS[0]), "html"),
            "event.html": render(event_report(s, actor=MANAGER, name=PAYLOADS[1]), "html"),
        }
    for name, html in pages.items():
        page = tmp_path / name
        page.write_text(html, encoding="utf-8")
        dom = assert_inert(page)
        # the only image is our chart, as an SVG data URI (an SVG image never runs script)
        assert len(dom.images) == 1 and dom.images[0].startswith("data:image/svg+xml;base64,"), name
        chart = tmp_path / f"{name}.svg"
        chart.write_bytes(base64.b64decode(dom.images[0].split(",", 1)[1]))
        # opened as a document of its own, where script would run, the chart is inert too
        svg_dom = Dom()
        svg_dom.feed(browser_dom(chart))
        assert not svg_dom.marked and svg_dom.scripts == 0 and svg_dom.handlers == []


def test_markdown_reports_rendered_to_html_run_no_script(hostile_engine: Engine, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    with read_only(hostile_engine) as s:
        texts = [
            render(startup_report(s, actor=MANAGER, name=PAYLOADS[0]), "md"),
            render(event_report(s, actor=MANAGER, name=PAYLOADS[1]), "md"),
        ]
    renderer = MarkdownIt("commonmark", {"html": True}).enable("table")
    for index, text in enumerate(texts):
        page = tmp_path / f"report{index}.html"
        page.write_text(f"<!doctype html><html><body>{renderer.render(text)}</body></html>", encoding="utf-8")
        dom = assert_inert(page)
        assert all(src.startswith("data:image/svg+xml;base64,") for src in dom.images)
        assert "javascript:" in page.read_text(encoding="utf-8")  # shown as text, not as a link


def test_the_detector_sees_a_payload_that_runs(tmp_path: Path) -> None:
    """The browser check itself must be able to fail: an unescaped payload marks the page."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<!doctype html><html><body>{PAYLOADS[1]}</body></html>", encoding="utf-8")
    dom = Dom()
    dom.feed(browser_dom(page))
    assert dom.marked
