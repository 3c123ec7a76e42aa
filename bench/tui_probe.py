"""A child process for the TUI figures: opens the real app headless the way ``irp tui`` does
(first frame at once, the database layer loaded by a worker), and prints ``frame`` when its first
frame is painted, ``painted`` when the pipeline (staff) or dashboard (manager) shows its data,
then its peak RSS. The parent times each line from spawning this process: process start → ..."""

from __future__ import annotations

import asyncio
import resource
import sys
from typing import Any


async def main(url: str, screen: str) -> None:
    from ir_pipeline.actors import Actor
    from ir_pipeline.enums import Role
    from tui.app import make_app

    role = Role.STAFF if screen == "pipeline" else Role.MANAGER

    def connect() -> Any:
        from ir_pipeline.database import open_database
        from ir_pipeline.gateway import Backend

        return Backend(open_database(url), Actor("bench", role))

    app = make_app(connect=connect)
    async with app.run_test(size=(120, 40)) as pilot:
        print("frame", flush=True)
        while not _painted(app, screen):
            await pilot.pause()
        await pilot.pause()
        print("painted", flush=True)
    print(f"rss {_peak_mb():.1f}", flush=True)


def _peak_mb() -> float:
    """Peak RSS of this program: ``VmHWM`` belongs to the memory map made at exec, whereas
    ``ru_maxrss`` also counts what the parent held when it forked this process."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _painted(app: Any, screen: str) -> bool:
    current = app.screen
    if screen == "pipeline":
        return type(current).__name__ == "PipelineScreen" and bool(current.rows)
    return type(current).__name__ == "DashboardScreen" and bool(current.loaded)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
