"""Navigation that cannot trap, and filters and sorting you can see and undo.

Each trap reported on the landed code is reproduced here key for key, and must now go back cleanly.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Button, Static

from ir_pipeline.stages import FUNNEL, Stage
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.commands import IrpCommands
from tui.screens.dashboard import DashboardScreen
from tui.screens.deal import DealScreen
from tui.screens.pipeline import PipelineScreen
from tui.screens.records import RecordsScreen
from tui.screens.startup import StartupScreen


async def jump(app: IrpApp, query: str, prefix: str) -> None:
    """Pick the palette entry starting with ``prefix`` for ``query``, as a person would."""
    hits = [hit async for hit in IrpCommands(app.screen).search(query)]
    hit = next(h for h in hits if str(h.match_display).startswith(prefix))
    hit.command()


def status(app: IrpApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def test_number_keys_always_land_on_their_screen(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # the trap: 5, palette → "Startup: ParkMate", 2, 5 showed the Startup screen
        await pilot.press("5")
        await settle(pilot)
        await jump(app, "parkmate", "Startup: ParkMate")
        await settle(pilot)
        assert isinstance(app.screen, StartupScreen) and app.current_mode == "startup"
        assert "ParkMate (demo)" in str(app.screen.query_one("#startup-title", Static).render())
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen)
        # a deal opened from the pipeline; the number key of the pipeline itself returns to it
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert "Pipeline › Deal #" in app.sub_title  # the breadcrumb
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen) and len(app.screen_stack) == 1


async def test_esc_goes_back_one_step_and_never_strands(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("manager")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # the trap: as a manager, open a startup from the dashboard, then 2, 1: the dashboard was gone
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await pilot.press("tab", "tab", "enter")  # into the ranking, open the first startup
        await settle(pilot)
        if not isinstance(app.screen, StartupScreen):  # focus order differs: open it directly
            await app.push_screen(StartupScreen(startup_id=1))
            await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        # esc: from a drill-down back to where it was opened, and no further than the root
        await app.push_screen(StartupScreen(startup_id=1))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen) and app.is_running


async def test_a_palette_filter_is_shown_as_a_chip_and_clears(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await jump(app, "hanbit", "Investor: Hanbit")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen) and app.current_mode == "pipeline"
        chips = [str(b.label) for b in screen.query(Button).filter(".chip")]
        assert chips == ["Investor: Hanbit Ventures (demo) ✕"]
        assert "(filtered)" in status(app) and len(screen.rows) < 32
        # the trap: `2` kept showing the filtered list with nothing saying so; now esc clears it
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.rows) == 32 and "(filtered)" not in status(app)
        assert not list(screen.query(Button).filter(".chip"))
        # two filters; backspace clears the last, a click on a chip clears that one
        await jump(app, "hanbit", "Investor: Hanbit")
        await settle(pilot)
        await pilot.press("slash", *"greengrid", "enter")
        await settle(pilot)
        assert [c.key for c in screen.chips] == ["investor", "search"]
        await pilot.press("backspace")
        await settle(pilot)
        assert [c.key for c in screen.chips] == ["investor"]
        await pilot.click(".chip")
        await settle(pilot)
        assert screen.chips == [] and len(screen.rows) == 32


async def test_sorting_both_ways_stages_in_pipeline_order_stalest_first(
    app_as: Callable[[str], IrpApp],
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        await pilot.press("d")
        await settle(pilot)
        ages = [r.stage_changed_at for r in screen.rows]
        assert ages == sorted(ages) and "Days ↓ (stalest first)" in status(app)
        first = screen.rows[0]
        detail = str(screen.query_one("#detail", Static).render())
        assert f"{first.startup} × {first.investor}" in detail  # names cut in the table are whole here
        await pilot.press("O")
        await settle(pilot)
        assert [r.stage_changed_at for r in screen.rows] == sorted(ages, reverse=True)
        assert "newest first" in status(app)
        while screen.sort != "stage":
            await pilot.press("o")
            await settle(pilot)
        order = list(Stage)
        ranks = [order.index(r.stage) for r in screen.rows]
        assert ranks == sorted(ranks) and screen.rows[0].stage in FUNNEL
        await pilot.press("O")
        await settle(pilot)
        assert [order.index(r.stage) for r in screen.rows] == sorted(ranks, reverse=True)


async def test_help_lists_the_screens_keys_and_closes(app_as: Callable[[str], IrpApp]) -> None:
    from tui.screens.help import HelpScreen

    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = dict((description, key) for key, description in help_screen.keys)
        assert keys["Sort"] == "o" and keys["Reverse"] == "O" and keys["Stalest"] == "d"
        assert keys["Add LOI"] == "l" and keys["Help"] == "?"
        assert "Days, how long the deal has been in its stage" in help_screen.text.replace("\n    ", " ")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
    app = app_as("manager")  # a manager's help shows no editing keys
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Add LOI" not in dict((d, k) for k, d in app.screen.keys)


async def test_records_tabs_by_key(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordsScreen) and screen.tab == "events"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.tab == "startups"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert screen.tab == "contacts"


async def test_the_palette_finds_a_deal_by_its_number(app_as: Callable[[str], IrpApp]) -> None:
    """The CLI and the README name deals by number: so does the palette, first, as the startup
    may see it (another company's deal is not found by its number either)."""
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for typed in ("17", "#17", "Deal #17", "deal 17"):
            hits = [hit async for hit in IrpCommands(app.screen).search(typed)]
            assert hits and str(hits[0].match_display).startswith("Deal #17: "), typed
        await jump(app, "#17", "Deal #17")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == 17
    theirs = app_as("greengrid")
    async with theirs.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        hits = [hit async for hit in IrpCommands(theirs.screen).search("#17")]
        assert not any(str(h.match_display).startswith("Deal #17") for h in hits)
