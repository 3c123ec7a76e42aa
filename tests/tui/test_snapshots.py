"""Snapshots of every main screen on the demo, at 80×24 and 120×40, with the clock pinned.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import settle
from tui.app import IrpApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def navigate(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


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
        keys = ["down"] * 16 + ["enter"]  # deal #17, ParkMate × K-City at term sheet
        assert snap_compare(app_as("staff"), terminal_size=size, run_before=navigate(*keys))


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
