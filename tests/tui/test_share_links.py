"""Share links from the TUI's palette: staff share the startup on screen (the link shown once,
``y`` copies it) and see which links are live; a manager is offered neither."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import select

from ir_pipeline.db import read_only
from ir_pipeline.models import ShareLink
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.commands import IrpCommands
from tui.screens.startup import StartupScreen


async def commands(app: IrpApp, query: str) -> dict[str, object]:
    provider = IrpCommands(app.screen)
    return {str(hit.match_display): hit for hit in [h async for h in provider.search(query)]}


async def test_staff_share_the_startup_on_screen_and_list_live_links(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(StartupScreen(startup_id=1))
        await settle(pilot)
        hits = await commands(app, "share")
        share = next(h for name, h in hits.items() if "Share this startup" in name)
        share.command()  # type: ignore[attr-defined]
        await settle(pilot)
        shown = [str(n.message) for n in app._notifications]
        url = next(line for text in shown for line in text.splitlines() if "/share/" in line)
        assert app.last_path == url  # y copies it
        live = next(
            h for name, h in (await commands(app, "share links")).items() if name.startswith("Share links")
        )
        live.command()  # type: ignore[attr-defined]
        await settle(pilot)
        listed = [str(n.message) for n in app._notifications]
        assert any("#1 startup: GreenGrid (demo)" in text for text in listed), listed
    with read_only(sqlite_demo) as session:
        (link,) = session.exec(select(ShareLink)).all()
    assert link.startup_id == 1 and url.rsplit("/", 1)[1] not in link.token_hash


async def test_a_manager_is_offered_no_share_commands(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("manager")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(StartupScreen(startup_id=1))
        await settle(pilot)
        assert not [name for name in await commands(app, "share") if "Share" in name]
