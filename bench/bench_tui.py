"""How quickly the pipeline screen opens and pages on 100k deals, against the same raw SQL page.

Run: ``python -m bench.bench_tui [DEALS]``. The app runs headless (Textual's test driver); the
times include the worker, the query, building the rows and drawing the table.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.seed import build
from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine
from ir_pipeline.enums import Role
from ir_pipeline.gateway import Backend
from tui.app import make_app
from tui.screens.pipeline import PipelineScreen


async def measure(path: Path, pages: int = 10) -> tuple[float, float, int]:
    """Seconds to the first page on screen, seconds per further page, rows held."""
    engine = make_engine(f"sqlite:///{path}")
    app = make_app(backend=Backend(engine, Actor("bench", Role.STAFF)))
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, PipelineScreen) and app.screen.rows):
            await pilot.pause()
        opened = time.perf_counter() - start
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        start = time.perf_counter()
        for _ in range(pages):  # what reaching the end of the loaded rows triggers
            target = len(screen.rows) + 100
            screen._loading_more = True
            screen._load_more(len(screen.rows))
            while len(screen.rows) < target:
                await pilot.pause()
        paging = (time.perf_counter() - start) / max(pages, 1)
        loaded = len(screen.rows)
    engine.dispose()
    return opened, paging, loaded


def raw_page(path: Path) -> float:
    con = sqlite3.connect(path)
    start = time.perf_counter()
    for offset in range(0, 1100, 100):
        con.execute(
            "SELECT d.id, s.name, i.name, d.stage FROM deal d JOIN startup s ON s.id = d.startup_id"
            " JOIN investor i ON i.id = d.investor_id ORDER BY d.id LIMIT 100 OFFSET ?",
            (offset,),
        ).fetchall()
    con.close()
    return (time.perf_counter() - start) / 11


def main(deals: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        empty = Path(folder) / "empty.sqlite3"
        build(empty, deals=1)
        build(path, deals=deals)
        baseline, _, _ = asyncio.run(measure(empty, pages=0))
        opened, paging, loaded = asyncio.run(measure(path))
        raw = raw_page(path)
        print(
            f"app start to first page: {baseline * 1000:.0f} ms with 1 deal, "
            f"{opened * 1000:.0f} ms with {deals:,}"
        )
        print(
            f"next page (worker + query + rows + redraw): {paging * 1000:.0f} ms; "
            f"{loaded} rows held in memory"
        )
        print(f"raw SQL for one page: {raw * 1000:.2f} ms; ratio {paging / raw:.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
