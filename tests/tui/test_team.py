"""The TUI's side of issue 8: switching user never raises rights, and a stale LOI edit keeps
what was typed, names who changed it, and re-applies on the newest version after ``ctrl+r``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from textual.widgets import Static

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import LoiDraft
from ir_pipeline.money import Money
from ir_pipeline.queries.lois import get_loi
from ir_pipeline.services import lois
from tests.conftest import STAFF
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.commands import IrpCommands
from tui.forms.pipeline import LoiForm
from tui.screens.deal import DealScreen
from tui.widgets.fields import MoneyField


async def _switch_targets(app: IrpApp) -> set[str]:
    provider = IrpCommands(app.screen)
    return {str(h.match_display).removeprefix("Switch user: ") async for h in provider.search("switch user")}


async def test_switching_goes_down_never_up(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert {"manager", "greengrid"} <= await _switch_targets(app)
        await app.switch_user("manager")
        await settle(pilot)
        assert app.actor.name == "manager"
        targets = await _switch_targets(app)
        assert "greengrid" in targets and "staff" in targets  # back to the login is not "up"
        await app.switch_user("greengrid")
        await settle(pilot)
        assert await _switch_targets(app) == set()  # a startup view lists no other users
        back = [str(h.match_display) async for h in IrpCommands(app.screen).search("switch back")]
        assert back == ["Switch back to staff"]
        await app.switch_user("staff")
        await settle(pilot)
        assert app.actor.name == "staff"
    manager = app_as("manager")
    async with manager.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "staff" not in await _switch_targets(manager)
        await manager.switch_user("staff")  # asked for directly: refused
        await settle(pilot)
        assert manager.actor.name == "manager"
        assert any("never raises rights" in str(n.message) for n in manager._notifications)


async def test_a_stale_loi_edit_keeps_the_typing_and_reapplies_after_reload(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(DealScreen(1))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LoiForm)
        loi_id = form.initial.id if form.initial else 0
        # meanwhile someone else saves the same LOI
        with read_only(sqlite_demo) as session:
            seen = get_loi(session, actor=STAFF, loi_id=loi_id)
        with unit_of_work(sqlite_demo) as session:
            lois.update_loi(
                session,
                actor=STAFF,
                loi_id=loi_id,
                draft=LoiDraft(amount=Money.parse("11억"), received_on=seen.received_on, conditions="theirs"),
            )
        amount = form.query_one("#amount", MoneyField)
        amount.input.value = "13억"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "the form stays open"
        error = str(form.query_one("#form-error", Static).render())
        assert "tester changed amount" in error and "ctrl+r" in error
        assert amount.input.value == "13억"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "11억" in str(form.query_one("#form-error", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_only(sqlite_demo) as session:
        final = get_loi(session, actor=STAFF, loi_id=loi_id)
    assert final.amount == Money.parse("13억") and final.version == seen.version + 2
