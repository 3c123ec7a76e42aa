"""The open app writes the notices that time makes, for a staff user, without being asked."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only
from ir_pipeline.models import OutboxEvent
from tests.tui.conftest import settle
from tui.app import FIRST_SCAN_AFTER, SCAN_EVERY, IrpApp


def overdue_notices(engine: Engine, kinds: tuple[str, ...] = ("followup.overdue",)) -> int:
    with read_only(engine) as session:
        query = sa.select(sa.func.count()).where(OutboxEvent.type.in_(kinds))  # type: ignore[attr-defined]
        return int(session.execute(query.select_from(OutboxEvent)).scalar_one())


async def test_a_staff_user_s_app_scans_and_a_manager_s_does_not(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    assert 0 < FIRST_SCAN_AFTER < SCAN_EVERY  # scans never slow the start, and repeat
    manager = app_as("manager")
    async with manager.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        manager.scan_now()
        await settle(pilot)
    assert overdue_notices(sqlite_demo) == 0
    staff = app_as("staff")
    async with staff.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        staff.scan_now()
        await settle(pilot)
        first = overdue_notices(sqlite_demo)
        staff.scan_now()
        await settle(pilot)
    assert first > 0 and overdue_notices(sqlite_demo) == first  # once per occasion


async def test_the_header_counts_overdue_follow_ups_and_undelivered_notices(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.models import EndpointFormat
    from ir_pipeline.notify.endpoints import add_endpoint
    from tests.conftest import STAFF
    from tests.notify.receiver import Answer, receiver

    with receiver() as rx:
        with unit_of_work(sqlite_demo) as s:
            add_endpoint(s, actor=STAFF, name="team", url=rx.url, format=EndpointFormat.SLACK)
        rx.script = [Answer(400)] * 10
        staff = app_as("staff")
        async with staff.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            staff.scan_now()  # overdue notices: queued for the endpoint, sent by the tick, refused
            await settle(pilot)
            staff.tick_now()
            await settle(pilot)
            assert "overdue" in staff.sub_title and "not delivered" in staff.sub_title
    # the demo's overdue follow-ups, and its bank LOI that ends within the week
    assert len(rx.requests) == overdue_notices(sqlite_demo, ("followup.overdue", "loi.expiring")) > 3
