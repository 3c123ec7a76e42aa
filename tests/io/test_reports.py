"""Share packs: the right figures, only the right startup, user text escaped, no external assets."""

from __future__ import annotations

import base64
import re

import pytest
from rich.cells import cell_len
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import InvestorDraft, StartupDraft
from ir_pipeline.enums import Role
from ir_pipeline.errors import NotFound
from ir_pipeline.io.reports import event_report, render, startup_report
from ir_pipeline.services import deals, lois, records
from tests.conftest import MANAGER, STAFF
from tests.helpers import loi


def test_event_report_headline_on_the_demo(demo_engine: Engine) -> None:
    with read_only(demo_engine) as s:
        report = event_report(s, actor=MANAGER, name="WSCW 2018")
    assert report.headline == "26건 · 8개사 · 171억 5천만 원"
    html = render(report, "html")
    md = render(report, "md")
    for text in (html, md):
        assert "26건 · 8개사 · 171억 5천만 원" in text
        assert "Mobility Lab (demo)" in text and "K-City Partners (demo)" in text
    assert "19.2%" in html
    (chart,) = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert base64.b64decode(chart).decode().startswith("<svg")


def test_startup_report_holds_only_that_startup(demo_engine: Engine) -> None:
    with read_only(demo_engine) as s:
        html = render(startup_report(s, actor=MANAGER, name="greengrid"), "html")
    assert "GreenGrid (demo)" in html and "21억 원" in html
    for other in ("Mobility Lab", "AirSense", "ParkMate", "WaterLoop", "CityTwin", "SafeWalk", "WindCell"):
        assert other not in html


def test_a_startup_user_cannot_report_on_another_startup(demo_engine: Engine) -> None:
    with read_only(demo_engine) as s:
        from ir_pipeline.lookup import resolve_startup

        own = resolve_startup(s, "GreenGrid", actor=STAFF)
        user = Actor("gg", Role.STARTUP, startup_id=own.id)
        assert "GreenGrid" in render(startup_report(s, actor=user, name="greengrid"), "md")
        with pytest.raises(NotFound):
            startup_report(s, actor=user, name="mobility lab")


def test_html_works_offline_and_escapes_user_text(demo_engine: Engine) -> None:
    evil = "<script>alert('x')</script> Capital"
    with unit_of_work(demo_engine) as s:
        investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=evil))
        row = deals.open_deal(s, actor=STAFF, startup_id=1, investor_id=investor.id)
        lois.add_loi(
            s, actor=STAFF, deal_id=row.id, draft=loi("1억", conditions="<img src=x onerror=alert(1)>")
        )
    with read_only(demo_engine) as s:
        html = render(startup_report(s, actor=MANAGER, name="greengrid"), "html")
        event_html = render(event_report(s, actor=MANAGER, name="WSCW"), "html")
        md = render(startup_report(s, actor=MANAGER, name="greengrid"), "md")
    for text in (html, md):
        assert "<script>" not in text and "&lt;script&gt;" in text
    assert all(tag.startswith('<img class="chart" src="data:') for tag in re.findall(r"<img[^>]*>", html))
    assert not re.search(r"(src|href)=\"https?://", html + event_html)  # nothing fetched from outside
    assert "<script" not in event_html


def test_long_chart_titles_wrap_then_shorten() -> None:
    from ir_pipeline.io.charts import Bar, bar_chart, fit_lines

    assert fit_lines("short title", 40) == ["short title"]
    lines = fit_lines("스마트시티 " * 30 + "deals that reached each stage", 40)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(cell_len(line) <= 40 for line in lines)  # Korean counts double
    svg = bar_chart([Bar("LOI", 3)], title="A" * 500)
    titles = re.findall(r'<text x="0" y="\d+" font-weight="bold" font-size="15">([^<]*)</text>', svg)
    assert len(titles) == 2 and titles[1].endswith("…")
    assert f"<title>{'A' * 500}</title>" in svg  # the full title stays for screen readers


def test_counts_are_english(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Solo"))
        investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name="Only One"))
        deal = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
        lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi("1억"))
    with read_only(engine) as s:
        for fmt in ("md", "html"):
            text = render(startup_report(s, actor=MANAGER, name="Solo"), fmt)
            assert "from 1 investor " in text and "1 investors" not in text
