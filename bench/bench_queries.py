"""How much the product's queries cost over the raw SQL they stand for, on a large pipeline.

Run: ``python -m bench.bench_queries [DEALS]`` (default 100,000). It builds a SQLite database,
then times each product query against a hand-written ``sqlite3`` query returning the same figures,
in the same run, and prints the ratio (product time / raw time). The absolute times say whether
the TUI stays responsive; the ratios say what the ORM layer costs.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench.seed import build
from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, read_only
from ir_pipeline.enums import Role
from ir_pipeline.queries.deals import DealFilter, list_deals
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.stages import Stage

MANAGER = Actor(name="bench", role=Role.MANAGER)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(deals: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        start = time.perf_counter()
        build(path, deals=deals)
        print(f"built {deals:,} deals in {time.perf_counter() - start:.1f}s")
        engine = make_engine(f"sqlite:///{path}")
        raw = sqlite3.connect(path)

        def product_funnel() -> object:
            with read_only(engine) as s:
                return funnel(s, actor=MANAGER)

        def raw_funnel() -> object:
            return (
                raw.execute(
                    "SELECT count(l.id), count(DISTINCT d.startup_id), count(DISTINCT d.investor_id)"
                    " FROM letter_of_intent l JOIN deal d ON d.id = l.deal_id"
                ).fetchall(),
                raw.execute(
                    "SELECT currency, sum(amount_minor) FROM letter_of_intent GROUP BY currency"
                ).fetchall(),
                raw.execute("SELECT stage, count(*) FROM deal GROUP BY stage").fetchall(),
                raw.execute(
                    "SELECT d.stage, l.currency, sum(l.amount_minor) FROM letter_of_intent l"
                    " JOIN deal d ON d.id = l.deal_id GROUP BY d.stage, l.currency"
                ).fetchall(),
                raw.execute(
                    "SELECT reached, count(*) FROM (SELECT deal_id, max(CASE to_stage"
                    " WHEN 'sourced' THEN 0 WHEN 'pitched' THEN 1 WHEN 'loi' THEN 2 WHEN 'diligence' THEN 3"
                    " WHEN 'term_sheet' THEN 4 WHEN 'funded' THEN 5 END) AS reached"
                    " FROM stage_change GROUP BY deal_id) GROUP BY reached"
                ).fetchall(),
            )

        def product_page(sort: str, offset: int) -> Callable[[], object]:
            def run() -> object:
                with read_only(engine) as s:
                    return list_deals(s, actor=MANAGER, sort=sort, offset=offset, limit=100)  # type: ignore[arg-type]

            return run

        def raw_page(offset: int, where: str = "", order: str = "d.id") -> Callable[[], object]:
            """The same page by hand: names, last LOI, next follow-up, and the total."""

            def run() -> object:
                rows = raw.execute(
                    "SELECT d.id, s.name, i.name, d.stage, d.stage_changed_at,"
                    " (SELECT l.amount_minor FROM letter_of_intent l WHERE l.deal_id = d.id"
                    "  ORDER BY l.received_on DESC, l.id DESC LIMIT 1) AS last_loi,"
                    " (SELECT min(f.due_on) FROM follow_up f WHERE f.deal_id = d.id AND f.status = 'open')"
                    " FROM deal d JOIN startup s ON s.id = d.startup_id"
                    " JOIN investor i ON i.id = d.investor_id"
                    f" {where} ORDER BY {order} LIMIT 100 OFFSET ?",
                    (offset,),
                ).fetchall()
                total = raw.execute(f"SELECT count(*) FROM deal d {where}").fetchone()
                return rows, total

            return run

        def product_stage_filter() -> object:
            with read_only(engine) as s:
                return list_deals(s, actor=MANAGER, flt=DealFilter(stage=Stage.DILIGENCE), limit=100)

        def product_search() -> object:
            with read_only(engine) as s:
                return list_deals(s, actor=MANAGER, flt=DealFilter(search="startup123"), limit=100)

        def raw_search() -> object:
            """The naive search: LIKE on both names across the join, then the page and its count."""
            where = "WHERE s.name_key LIKE '%startup123%' OR i.name_key LIKE '%startup123%'"
            joins = "JOIN startup s ON s.id = d.startup_id JOIN investor i ON i.id = d.investor_id"
            rows = raw.execute(
                f"SELECT d.id, s.name, i.name, d.stage FROM deal d {joins} {where} ORDER BY d.id LIMIT 100"
            ).fetchall()
            return rows, raw.execute(f"SELECT count(*) FROM deal d {joins} {where}").fetchone()

        def product_queue() -> object:
            with read_only(engine) as s:
                return follow_up_queue(s, actor=MANAGER, today=date(2026, 1, 1), limit=100)

        def raw_queue() -> object:
            rows = raw.execute(
                "SELECT f.*, s.name, i.name FROM follow_up f JOIN deal d ON d.id = f.deal_id"
                " JOIN startup s ON s.id = d.startup_id JOIN investor i ON i.id = d.investor_id"
                " WHERE f.status = 'open' ORDER BY f.due_on, f.id LIMIT 100"
            ).fetchall()
            counts = raw.execute(
                "SELECT count(*), sum(due_on < '2026-01-01') FROM follow_up WHERE status = 'open'"
            ).fetchone()
            return rows, counts

        cases = [
            ("funnel (all figures)", product_funnel, raw_funnel),
            ("pipeline page 1 by id", product_page("id", 0), raw_page(0)),
            ("pipeline page near the end", product_page("id", deals - 100), raw_page(deals - 100)),
            (
                "pipeline page 1 by last LOI",
                product_page("last_loi", 0),
                raw_page(0, order="last_loi IS NULL, last_loi, d.id"),
            ),
            (
                "pipeline filtered by stage",
                product_stage_filter,
                raw_page(0, where="WHERE d.stage = 'diligence'"),
            ),
            (
                "pipeline name search",
                product_search,
                raw_search,
            ),
            ("follow-up queue page 1", product_queue, raw_queue),
        ]
        print(f"{'query':32} {'product':>10} {'raw SQL':>10} {'ratio':>7}")
        for name, product, baseline in cases:
            p, r = best_of(product), best_of(baseline)
            print(f"{name:32} {p * 1000:8.1f}ms {r * 1000:8.1f}ms {p / r:6.1f}x")
        raw.close()
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
