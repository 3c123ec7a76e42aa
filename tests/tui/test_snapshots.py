"""Snapshots of every screen and form on the demo, at 80×24 and 120×36, on the demo's own date.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import settle, step
from tui.app import IrpApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def navigate(*keys: str | Callable[[IrpApp], object]) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Press each key, or call each step with the app (a palette command's own function)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await step(pilot, key)

    return run_before


def new_loi(app: IrpApp) -> None:
    from tui.actions import open_new_loi_form

    open_new_loi_form(app, app.backend)


def import_form(app: IrpApp) -> None:
    from tui.actions import open_import_form

    open_import_form(app)


def export_form(app: IrpApp) -> None:
    from tui.commands import IrpCommands

    IrpCommands(app.screen)._export()


def notifications(app: IrpApp) -> None:
    from tui.screens.notifications import NotificationsScreen

    app.push_screen(NotificationsScreen())


def deal(ident: int) -> Callable[[IrpApp], object]:
    """Open a deal from the pipeline, as ``enter`` on its row does (without sixteen key presses)."""

    def step(app: IrpApp) -> object:
        from tui.screens.deal import DealScreen

        return app.push_screen(DealScreen(ident))

    return step


DEAL_17: list[Any] = [deal(17)]  # ParkMate × K-City at term sheet


@pytest.mark.parametrize("size", SIZES)
class TestDashboard:
    def test_manager_home(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("manager"), terminal_size=size, run_before=navigate())


@pytest.mark.parametrize("size", SIZES)
class TestPipeline:
    def test_staff_home(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate())


@pytest.mark.parametrize("size", SIZES)
class TestDealDetail:
    def test_term_sheet_deal(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate(*DEAL_17))


@pytest.mark.parametrize("size", SIZES)
class TestFollowUps:
    def test_queue(self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate("3"))


@pytest.mark.parametrize("size", SIZES)
class TestStartupView:
    def test_startup_user_home(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("greengrid"), terminal_size=size, run_before=navigate())


@pytest.mark.parametrize("size", SIZES)
class TestHelp:
    def test_pipeline_help(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate("question_mark"))


@pytest.mark.parametrize("size", SIZES)
class TestFilterChips:
    def test_pipeline_filtered_by_search_and_stage(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        keys = ["slash", *"green", "enter"]
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate(*keys))


@pytest.mark.parametrize("size", SIZES)
class TestUndoToast:
    def test_follow_up_completed_offers_undo(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate("3", "c"))


@pytest.mark.parametrize("size", SIZES)
class TestConvertedTotals:
    """The dashboard with dollars, euros and yen beside the won: the converted total, the rates it
    used, the yen without a rate, and how current the rates are."""

    def test_manager_home_in_many_currencies(
        self,
        snap_compare: Any,
        app_as: Callable[[str], IrpApp],
        sqlite_demo: Any,
        size: tuple[int, int],
    ) -> None:
        from tests.fx.test_everywhere import add_foreign_lois

        add_foreign_lois(sqlite_demo)
        assert snap_compare(app_as("manager"), terminal_size=size, run_before=navigate())


@pytest.mark.parametrize("size", SIZES)
class TestRecords:
    def test_startups_tab(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate("5"))


@pytest.mark.parametrize("size", SIZES)
class TestNotifications:
    def test_endpoints_and_deliveries(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], size: tuple[int, int]
    ) -> None:
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate(notifications))


@pytest.mark.parametrize("size", SIZES)
class TestFirstRun:
    def test_an_empty_database(self, snap_compare: Any, sqlite_url: str, size: tuple[int, int]) -> None:
        from ir_pipeline.db import make_engine
        from ir_pipeline.gateway import Backend
        from tests.conftest import STAFF
        from tui.app import make_app

        app = make_app(backend=Backend(make_engine(sqlite_url), STAFF))
        assert snap_compare(app, terminal_size=size, run_before=navigate())


#: Every form, opened where a person opens it: (user, the way there).
FORMS: dict[str, tuple[str, list[Any]]] = {
    "move_stage": ("staff", ["m"]),
    "add_loi": ("staff", ["l"]),
    "new_loi": ("staff", [new_loi]),
    "edit_loi": ("staff", [*DEAL_17, "e"]),
    "loi_status": ("staff", [*DEAL_17, "s"]),
    "follow_up": ("staff", [*DEAL_17, "f"]),
    "funding": ("staff", [*DEAL_17, "dollar_sign"]),
    "follow_up_note": ("staff", ["3", "n"]),
    "reopen_lost_deal": ("staff", [deal(16), "r"]),
    "new_startup": ("staff", ["5", "n"]),
    "new_investor": ("staff", ["5", "right_square_bracket", "n"]),
    "import": ("staff", [import_form]),
    "export": ("staff", [export_form]),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("form", list(FORMS))
class TestForms:
    def test_form(
        self, snap_compare: Any, app_as: Callable[[str], IrpApp], form: str, size: tuple[int, int]
    ) -> None:
        user, way = FORMS[form]
        assert snap_compare(app_as(user), terminal_size=size, run_before=navigate(*way))
