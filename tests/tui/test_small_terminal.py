"""80×24 as a designed size: what matters keeps a readable width, what gives way says where it
went, every key in the footer is whole, and help lists this screen's keys first, each once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Checkbox, Static

from tests.tui.conftest import settle, step
from tests.tui.test_snapshots import deal, new_loi
from tui.app import IrpApp
from tui.screens.help import HelpScreen
from tui.widgets.fitted_table import FittedTable
from tui.widgets.funnel_bars import FunnelBars
from tui.widgets.keys_footer import KeysFooter

SMALL, LARGE = (80, 24), (120, 36)


def footer_keys(app: IrpApp) -> tuple[list[str], int, int]:
    """The actions the footer shows, the rightmost cell they reach, and where the palette starts."""
    footer = app.screen.query_one(KeysFooter)
    keys = [w for w in footer.children if not w.has_class("-command-palette")]
    palette = [w for w in footer.children if w.has_class("-command-palette")]
    assert len(palette) == 1
    reach = max((w.region.right for w in keys), default=0)
    return [str(getattr(w, "action", "")) for w in keys], reach, palette[0].region.x


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x36"])
@pytest.mark.parametrize(
    ("user", "keys"), [("staff", []), ("manager", []), ("staff", ["3"]), ("greengrid", [])]
)
async def test_the_footer_shows_whole_keys_help_quit_and_the_palette(
    app_as: Callable[[str], IrpApp], user: str, keys: list[str], size: tuple[int, int]
) -> None:
    app = app_as(user)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await step(pilot, key)
        actions, reach, palette = footer_keys(app)
        assert "help" in actions and "quit" in actions, actions
        # no key runs under the palette hint (the stray letter after "^p palette")
        assert reach <= palette, (actions, reach, palette)
        assert app.screen.query_one(KeysFooter).region.right == size[0]


async def test_the_pipeline_keeps_names_readable_at_80_columns(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#deals", FittedTable)
        widths = {str(c.key.value): c.width for c in table.columns.values()}
        assert widths["startup"] >= 16 and widths["investor"] >= 16, widths
        assert table.hidden == ("next_follow_up",)  # the first to give way, and only it
        assert {"stage", "last_loi", "stage_changed_at"} <= set(widths)
        assert sum(w + 2 for w in widths.values()) <= SMALL[0]
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "next due 2018-10-04" in detail  # deal #1's follow-up, moved below the table
        await pilot.resize_terminal(*LARGE)
        await settle(pilot)
        assert table.hidden == ()
        assert "next_follow_up" in {str(c.key.value) for c in table.columns.values()}
        assert table.row_count == 32 and table.cursor_row == 0


async def test_the_dashboard_bars_keep_a_usable_width(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("manager")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        bars = str(app.screen.query_one(FunnelBars).render_line(2).text)  # the LOI row: the widest
        assert bars.count("█") >= 30, bars
        ranking = app.screen.query_one("#ranking", FittedTable)
        names = {str(c.key.value): c.width for c in ranking.columns.values()}
        assert names["startup"] >= 16 and ranking.hidden == ("funded",), names


async def test_a_startup_reads_validity_and_status_of_its_lois_at_80_columns(
    app_as: Callable[[str], IrpApp],
) -> None:
    app = app_as("waterloop")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#startup-lois", FittedTable)
        shown = {str(c.key.value): c.width for c in table.columns.values()}
        assert {"investor", "amount", "valid_until", "status"} <= set(shown), shown
        assert shown["investor"] >= 16
        assert sum(w + 2 for w in shown.values()) <= SMALL[0]
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        statuses = {row[-1] for row in rows}
        assert statuses == {"Received", "Withdrawn"}, rows  # the bank's ends 10-15: still standing


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x36"])
@pytest.mark.parametrize("keys", [["m"], [new_loi], ["3", "n"], [deal(17), "f"]])
async def test_every_checkbox_label_in_a_form_fits(
    app_as: Callable[[str], IrpApp], keys: list[str], size: tuple[int, int]
) -> None:
    app = app_as("staff")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await step(pilot, key)
        form = app.screen.query_one(".form")
        boxes = list(app.screen.query(Checkbox))
        assert boxes, app.screen
        for box in boxes:
            label = str(box.label)
            assert box.region.right <= form.content_region.right, (label, box.region, form.content_region)
            assert box.content_size.width >= len(label) + 4, label  # the button and the whole label


async def test_help_lists_this_screen_s_keys_first_each_once_with_quit(
    app_as: Callable[[str], IrpApp],
) -> None:
    app = app_as("staff")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.keys
        descriptions = [d for _k, d in keys]
        assert len(descriptions) == len(set(descriptions)), keys
        assert keys[0] == ("l", "Add LOI")  # the pipeline's own keys come first
        assert ("q", "Quit") in keys and ("?", "Help") in keys
        assert [k for k, d in keys if d.startswith("Command palette")] == ["ctrl+p"]
        assert not any("Cursor" in d or "Scroll" in d or "Focus" in d for d in descriptions), keys
        own = [d for _k, d in keys].index("Clear filter")
        assert own < [d for _k, d in keys].index("Dashboard")  # own keys before the app's


@pytest.mark.parametrize(
    ("keys", "table", "kept"),
    [
        ([deal(17)], "#lois", {"amount", "valid", "status"}),
        (["3"], "#queue", {"due", "when", "note", "startup", "investor"}),
    ],
    ids=["deal-lois", "follow-ups"],
)
async def test_what_matters_stays_in_the_80_column_tables(
    app_as: Callable[[str], IrpApp], keys: list[str], table: str, kept: set[str]
) -> None:
    app = app_as("staff")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for key in keys:
            await step(pilot, key)
        fitted = app.screen.query_one(table, FittedTable)
        shown = {str(c.key.value): c.width for c in fitted.columns.values()}
        assert kept <= set(shown), shown
        assert sum(w + 2 for w in shown.values()) <= SMALL[0] - 2, shown
        assert all(shown[k] >= 16 for k in kept & set(fitted.flexible) - {"note"}), shown
