"""The notifications screen: endpoints and the latest deliveries, a test notice, enable/disable
and retry from the keyboard, against a real receiver on 127.0.0.1; and its snapshot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import Static

from ir_pipeline.db import unit_of_work
from ir_pipeline.models import EndpointFormat
from ir_pipeline.notify.delivery import Outcome, PassReport, queue, record, take
from ir_pipeline.notify.endpoints import add_endpoint
from ir_pipeline.services import lois
from tests.conftest import STAFF
from tests.helpers import loi
from tests.notify.receiver import receiver
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.screens.notifications import NotificationsScreen

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _endpoint(engine: Engine, name: str, url: str, fmt: EndpointFormat = EndpointFormat.SLACK) -> None:
    with unit_of_work(engine) as s:
        add_endpoint(s, actor=STAFF, name=name, url=url, format=fmt, events="loi.*")


async def test_test_disable_and_retry_from_the_keyboard(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    with receiver() as rx:
        _endpoint(sqlite_demo, "team", rx.url)
        app = app_as("staff")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = NotificationsScreen()
            await app.push_screen(screen)
            await settle(pilot)
            assert [e.name for e in screen.data.endpoints] == ["team"]
            await pilot.press("t")  # a test notice, sent now
            await settle(pilot)
            assert [r["body"]["text"] for r in rx.requests] == ["[Test] ir-pipeline → team"]
            assert [d.status.value for d in screen.data.deliveries] == ["delivered"]
            tries = str(screen.query_one("#attempts", Static).render())
            assert tries.startswith("Delivery #1: 1 attempt\n") and "· HTTP 200 ·" in tries
            await pilot.press("e")  # disable
            await settle(pilot)
            assert not screen.data.endpoints[0].active
            await pilot.press("e")
            await settle(pilot)
            assert screen.data.endpoints[0].active


def _deliveries_to_show(engine: Engine) -> None:
    """Two LOIs' notices queued for an endpoint; one refused (400), one still pending."""
    _endpoint(engine, "sales (slack)", "https://hooks.example.kr/services/T000/B000")
    with unit_of_work(engine) as s:
        lois.add_loi(s, actor=STAFF, deal_id=1, draft=loi("2억"))
        lois.add_loi(s, actor=STAFF, deal_id=2, draft=loi("1.5억"))
    with unit_of_work(engine) as s:
        queue(s, now=NOW)
        first = take(s, now=NOW, limit=1)[0]
        record(s, first, Outcome(400, "", "invalid_payload", 12), now=NOW, report=PassReport())


@pytest.mark.parametrize("size", [pytest.param((120, 40), id="120x40")])
class TestNotifications:
    def test_endpoints_and_deliveries(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], sqlite_demo: Engine, size: tuple[int, int]
    ) -> None:
        _deliveries_to_show(sqlite_demo)

        async def open_it(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.app.push_screen(NotificationsScreen())
            await settle(pilot)

        assert snap_compare(app_as("staff"), terminal_size=size, run_before=open_it)
