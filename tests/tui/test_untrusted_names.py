"""Names from outside in the TUI: shown as typed, never markup, never terminal control.

Services refuse control characters in names now, but a database may hold rows written before, or
straight into PostgreSQL: those are made here with plain SQL, as such data would arrive.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from rich.text import Text
from sqlalchemy.engine import Engine
from textual.widgets import DataTable, Static

from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.commands import IrpCommands
from tui.screens.deal import DealScreen
from tui.screens.startup import StartupScreen

EVIL = "[bold red]Evil[/] \x1b]0;owned\x07 [/]"


def _rename_greengrid(engine: Engine) -> None:
    with engine.begin() as connection:
        # the display name only: the matching key stays "greengrid"
        connection.execute(sa.text("UPDATE startup SET name = :name WHERE id = 1"), {"name": EVIL})


def shown(app: IrpApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_markup_and_control_characters_in_names_are_inert(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    _rename_greengrid(sqlite_demo)
    app = app_as("staff")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#deals", DataTable)
        cells = [table.get_row_at(index)[1] for index in range(table.row_count)]
        evil = [c for c in cells if "Evil" in (c.plain if isinstance(c, Text) else str(c))]
        assert evil, "the renamed startup is listed"
        plain = evil[0].plain if isinstance(evil[0], Text) else str(evil[0])
        assert plain.startswith("[bold red]Evil[/]") and "\\x1b]0;owned\\x07" in plain
        assert "\x1b" not in plain and "\x07" not in plain
        await app.push_screen(StartupScreen(startup_id=1))
        await settle(pilot)
        title = shown(app, "#startup-title")
        assert "[bold red]Evil[/]" in title and "\x1b" not in title
        await app.push_screen(DealScreen(1))
        await settle(pilot)
        assert "[bold red]Evil[/]" in shown(app, "#deal-title")
        # the palette lists it as typed (Textual's highlighter would read it as markup)
        hits = [hit async for hit in IrpCommands(app.screen).search("greengrid")]
        assert any(str(h.match_display).startswith("Startup: [bold red]Evil[/]") for h in hits)
        # so do the pickers
        await app.push_screen(StartupScreen(startup_id=2))
        await settle(pilot)
        # an error naming it is a plain notification, not a markup error
        app.notify(f"no startup named {EVIL!s}", severity="error")
        await settle(pilot)
        assert app.is_running
        message = app._notifications.last.message if hasattr(app._notifications, "last") else ""
        assert all("\x1b" not in str(n.message) for n in app._notifications)
        assert message == "" or "[bold red]" in message
