"""Corrections and undo: every one-key change can be taken back with ``u`` for a few seconds, as a
real inverse change kept in the history and the audit trail; lost deals reopen; nothing is deleted."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from textual.widgets import Input, Select

from ir_pipeline.db import read_only
from ir_pipeline.enums import FollowUpStatus, LoiStatus
from ir_pipeline.models import AuditEntry, FollowUp
from ir_pipeline.queries.deals import get_deal_detail
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.stages import Stage
from tests.conftest import MANAGER
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.forms.pipeline import LoiStatusForm, ReasonForm
from tui.screens.deal import DealScreen
from tui.screens.followups import FollowUpsScreen


def follow_up(engine: Engine, ident: int) -> FollowUp:
    with read_only(engine) as s:
        row = s.get(FollowUp, ident)
        assert row is not None
        s.expunge(row)
        return row


def toasts(app: IrpApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_complete_then_undo_reopens_the_follow_up(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FollowUpsScreen)
        first = screen.items[0]
        await pilot.press("c")
        await settle(pilot)
        assert follow_up(sqlite_demo, first.id).status is FollowUpStatus.DONE
        assert any(t.endswith("· u to undo") for t in toasts(app))  # the undo toast
        await pilot.press("u")
        await settle(pilot)
        reopened = follow_up(sqlite_demo, first.id)
        assert reopened.status is FollowUpStatus.OPEN and reopened.completed_at is None
        assert first.id in {f.id for f in screen.items}
        # snooze, then undo: the due date is back, and the trail says so
        second = screen.items[0]
        await pilot.press("s")
        await settle(pilot)
        assert follow_up(sqlite_demo, second.id).due_on != second.due_on
        await pilot.press("u")
        await settle(pilot)
        assert follow_up(sqlite_demo, second.id).due_on == second.due_on
        assert "undone" in follow_up(sqlite_demo, second.id).note
        await pilot.press("u")  # nothing left to undo: a warning, not an error
        await settle(pilot)
    with read_only(sqlite_demo) as s:
        trail = s.execute(
            sa.select(AuditEntry.field, AuditEntry.new_value).where(
                AuditEntry.table_name == "follow_up", AuditEntry.record_id == first.id
            )
        ).all()
    assert ("status", "done") in trail and ("status", "open") in trail  # both changes recorded


async def test_a_move_to_lost_cancels_follow_ups_and_undo_restores_both(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    with read_only(sqlite_demo) as s:
        before = get_deal_detail(s, actor=MANAGER, deal_id=1)
        funnel_before = funnel(s, actor=MANAGER)
    open_before = {f.id for f in before.follow_ups if f.status is FollowUpStatus.OPEN}
    assert open_before, "deal #1 has open follow-ups in the demo"
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(DealScreen(1))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        app.screen.query_one("#to Select", Select).value = Stage.LOST
        app.screen.query_one("#reason Input", Input).value = "valuation gap"
        await pilot.press("ctrl+s")
        await settle(pilot)
        with read_only(sqlite_demo) as s:
            lost = get_deal_detail(s, actor=MANAGER, deal_id=1)
        assert lost.deal.stage is Stage.LOST
        assert all(f.status is FollowUpStatus.CANCELLED for f in lost.follow_ups if f.id in open_before)
        await pilot.press("u")
        await settle(pilot)
    with read_only(sqlite_demo) as s:
        after = get_deal_detail(s, actor=MANAGER, deal_id=1)
        funnel_after = funnel(s, actor=MANAGER)
    assert after.deal.stage is before.deal.stage
    # the correction leaves no trace in the figures: no "Lost here", the same days in stage,
    # and every follow-up's note as it was
    assert funnel_after.stages == funnel_before.stages
    assert after.deal.stage_changed_at == before.deal.stage_changed_at
    assert {f.id: f.note for f in after.follow_ups} == {f.id: f.note for f in before.follow_ups}
    assert {f.id for f in after.follow_ups if f.status is FollowUpStatus.OPEN} == open_before
    assert [h.to_stage for h in after.history][-2:] == [Stage.LOST, before.deal.stage]  # both kept


async def test_a_lost_deal_reopens_with_a_reason(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(DealScreen(16))  # WaterLoop × Han River, lost in the demo
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReasonForm)
        app.screen.query_one("#reason Input", Input).value = "they came back with a new round"
        await pilot.press("ctrl+s")
        await settle(pilot)
    with read_only(sqlite_demo) as s:
        detail = get_deal_detail(s, actor=MANAGER, deal_id=16)
    lost_move = detail.history[-2]
    assert lost_move.to_stage is Stage.LOST and detail.deal.stage is lost_move.from_stage
    assert detail.history[-1].reason == "they came back with a new round"


async def test_an_loi_is_withdrawn_and_the_change_undone(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(DealScreen(2))
        await settle(pilot)
        app.screen.query_one("#lois").focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, LoiStatusForm)
        app.screen.query_one("#status Select", Select).value = LoiStatus.WITHDRAWN
        await pilot.press("ctrl+s")
        await settle(pilot)
        with read_only(sqlite_demo) as s:
            assert get_deal_detail(s, actor=MANAGER, deal_id=2).lois[0].status is LoiStatus.WITHDRAWN
        await pilot.press("u")
        await settle(pilot)
    with read_only(sqlite_demo) as s:
        assert get_deal_detail(s, actor=MANAGER, deal_id=2).lois[0].status is LoiStatus.RECEIVED


async def test_funding_starts_from_the_standing_loi_and_converts_it(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    """The form proposes the LOI's own amount and instrument (preferred shares stay preferred),
    and recording the funding converts the LOI that became money."""
    from ir_pipeline.services.database_date import follow
    from tui.forms.pipeline import FundingForm
    from tui.widgets.fields import ChoiceField, MoneyField

    follow(sqlite_demo)  # read on the demo's own day, as the app does
    with read_only(sqlite_demo) as s:
        detail = get_deal_detail(s, actor=MANAGER, deal_id=17)
    (standing,) = [x for x in detail.lois if x.status is LoiStatus.RECEIVED]
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(DealScreen(17))
        await settle(pilot)
        await pilot.press("$")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FundingForm)
        assert form.query_one("#amount", MoneyField).read() == standing.amount
        assert form.query_one("#instrument", ChoiceField).value is standing.instrument
        await pilot.press("ctrl+s")
        await settle(pilot)
    with read_only(sqlite_demo) as s:
        after = get_deal_detail(s, actor=MANAGER, deal_id=17)
    assert after.deal.stage is Stage.FUNDED and after.fundings[0].amount == standing.amount
    assert [x.status for x in after.lois if x.id == standing.id] == [LoiStatus.CONVERTED]
