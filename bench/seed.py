"""Make a large pipeline quickly (raw executemany into a migrated SQLite file), for benchmarks."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ir_pipeline.db import make_engine
from ir_pipeline.migrate import upgrade

STAGES = ["sourced", "pitched", "loi", "diligence", "term_sheet", "lost", "on_hold"]


def build(path: Path, *, deals: int, seed: int = 7) -> None:
    """A migrated SQLite database with ``deals`` deals, one LOI and one follow-up each."""
    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    rng = random.Random(seed)
    startups = max(10, deals // 50)
    investors = max(10, deals // startups + 1)
    now = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None).isoformat(sep=" ")
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO event (created_at, updated_at, name, starts_on, ends_on, venue, organiser)"
            " VALUES (?, ?, 'Bench Day', '2026-01-01', '2026-01-01', '', '')",
            (now, now),
        )
        con.executemany(
            "INSERT INTO startup (id, created_at, updated_at, name, name_key, sector, description, is_demo)"
            " VALUES (?, ?, ?, ?, ?, '', '', 0)",
            [(i, now, now, f"Startup {i}", f"startup{i}") for i in range(1, startups + 1)],
        )
        con.executemany(
            "INSERT INTO investor (id, created_at, updated_at, name, name_key, kind, country, is_demo)"
            " VALUES (?, ?, ?, ?, ?, 'vc', 'KR', 0)",
            [(i, now, now, f"Investor {i}", f"investor{i}") for i in range(1, investors + 1)],
        )
        deal_rows, loi_rows, change_rows, follow_rows = [], [], [], []
        for d in range(1, deals + 1):
            s, i = (d - 1) % startups + 1, (d - 1) // startups + 1
            stage = rng.choice(STAGES)
            deal_rows.append((d, now, now, s, i, 1, stage, now, "", ""))
            change_rows.append((d, None, "sourced", now, "bench", ""))
            if stage != "sourced":
                change_rows.append((d, "sourced", stage, now, "bench", "x" if stage == "lost" else ""))
            loi_rows.append((now, now, d, rng.randint(1, 500) * 10_000_000, "KRW", "common", "2026-01-02"))
            due = date(2026, 1, 1) + timedelta(days=rng.randint(-30, 60))
            follow_rows.append((now, now, d, due.isoformat(), "", "email", "", "open"))
        con.executemany(
            "INSERT INTO deal (id, created_at, updated_at, startup_id, investor_id, event_id, stage,"
            " stage_changed_at, owner, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            deal_rows,
        )
        con.executemany(
            "INSERT INTO stage_change (deal_id, from_stage, to_stage, changed_at, changed_by, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            change_rows,
        )
        con.executemany(
            "INSERT INTO letter_of_intent (created_at, updated_at, deal_id, amount_minor, currency,"
            " instrument, received_on, conditions, status) VALUES (?, ?, ?, ?, ?, ?, ?, '', 'received')",
            loi_rows,
        )
        con.executemany(
            "INSERT INTO follow_up (created_at, updated_at, deal_id, due_on, owner, channel, note, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            follow_rows,
        )
    con.execute("ANALYZE")
    con.close()
