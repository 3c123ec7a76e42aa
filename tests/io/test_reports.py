"""Share packs: the right figures, only the right startup, user text escaped, no external assets."""

from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import InvestorDraft
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
