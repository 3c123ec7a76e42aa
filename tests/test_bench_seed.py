"""The bench's data sets hold exactly what the product would have kept: their running totals
(made by the product's own per-deal rule, without the database) and the deals' kept columns equal
what ``irp db check-aggregates`` recomputes from the rows, and the funnel read from them equals
the funnel computed from the rows."""

from __future__ import annotations

from pathlib import Path

from bench import seed
from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, read_only
from ir_pipeline.enums import Role
from ir_pipeline.queries.funnel import funnel, funnel_from_rows
from ir_pipeline.summaries import check

MANAGER = Actor(name="m", role=Role.MANAGER)


def test_a_bench_data_set_is_what_the_product_would_keep(tmp_path: Path) -> None:
    url = seed.build(tmp_path / "bench.sqlite3", deals=3_000)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert check.check(connection) == []
        assert check.stale_deals(connection) == []
    with read_only(engine) as session:
        cells, rows = funnel(session, actor=MANAGER), funnel_from_rows(session, actor=MANAGER)
    engine.dispose()
    assert cells.lois.count == rows.lois.count == 3_000
    assert set(cells.lois.total) == {"KRW", "USD", "EUR", "JPY"}  # four currencies
    assert cells.lois.total == rows.lois.total
    assert cells.funded.count == rows.funded.count > 0
    assert [r.id for r in cells.by_startup] == [r.id for r in rows.by_startup]
    assert [r.id for r in cells.by_investor] == [r.id for r in rows.by_investor]
    assert (
        (cells.lois.startups, cells.lois.investors) == (rows.lois.startups, rows.lois.investors) == (60, 50)
    )
