"""A child process for the TUI figures: opens the real app headless on a database and prints
``painted`` the moment the pipeline (staff) or dashboard (manager) shows its data, then its peak
RSS. The parent times from spawning this process to that line: process start → painted."""

from __future__ import annotations

import asyncio
import resource
import sys


async def main(url: str, screen: str) -> None:
    from ir_pipeline.actors import Actor
    from ir_pipeline.database import open_database
    from ir_pipeline.enums import Role
    from ir_pipeline.gateway import Backend
    from tui.app import make_app

    role = Role.STAFF if screen == "pipeline" else Role.MANAGER
    app = make_app(backend=Backend(open_database(url), Actor("bench", role)))
    async with app.run_test(size=(120, 40)) as pilot:
        while not _painted(app, screen):
            await pilot.pause()
        await pilot.pause()
        print("painted", flush=True)
    print(f"rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}", flush=True)


def _painted(app: object, screen: str) -> bool:
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.pipeline import PipelineScreen

    current = getattr(app, "screen", None)
    if screen == "pipeline":
        return isinstance(current, PipelineScreen) and bool(current.rows)
    return isinstance(current, DashboardScreen) and current.loaded


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
