"""Large pipelines for the benchmarks, loaded as fast as each database takes rows.

The rows are generated once (``rows``) and loaded with ``executemany`` into SQLite or ``COPY``
into PostgreSQL, straight into a migrated schema; then the funnel's running totals and the deals'
kept columns are filled by the product's own repair (what ``irp db check-aggregates --repair``
does), so the product reads exactly what it would have kept itself.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ir_pipeline.db import make_engine
from ir_pipeline.migrate import upgrade

STAGES = ["sourced", "pitched", "loi", "diligence", "term_sheet", "lost", "on_hold"]
NOW = "2026-01-01 00:00:00"
#: Every this-many-th LOI is in dollars, converted at USD_RATE won (so its snapshot is cents × 13).
USD_EVERY = 20
USD_RATE = "1300"

COLUMNS: dict[str, tuple[str, ...]] = {
    "event": ("id", "created_at", "updated_at", "name", "starts_on", "ends_on", "venue", "organiser"),
    "startup": ("id", "created_at", "updated_at", "name", "name_key", "sector", "description", "is_demo"),
    "investor": ("id", "created_at", "updated_at", "name", "name_key", "kind", "country", "is_demo"),
    "deal": (
        "id", "created_at", "updated_at", "startup_id", "investor_id", "event_id", "stage",
        "stage_changed_at", "owner", "notes",
    ),
    "stage_change": ("deal_id", "from_stage", "to_stage", "changed_at", "changed_by", "reason"),
    "letter_of_intent": (
        "created_at", "updated_at", "deal_id", "amount_minor", "currency", "instrument", "received_on",
        "conditions", "status", "fx_base", "fx_rate", "fx_day", "fx_source", "converted_minor",
    ),
    "follow_up": ("created_at", "updated_at", "deal_id", "due_on", "owner", "channel", "note", "status"),
}  # fmt: skip


def shape(deals: int) -> tuple[int, int]:
    """Startups and investors for ``deals`` deals: 50 deals per startup, one deal per pair."""
    startups = max(10, deals // 50)
    return startups, max(10, deals // startups + 1)


def rows(deals: int, seed: int = 7) -> dict[str, list[tuple[Any, ...]]]:
    rng = random.Random(seed)
    startups, investors = shape(deals)
    out: dict[str, list[tuple[Any, ...]]] = {
        "event": [(1, NOW, NOW, "Bench Day", "2026-01-01", "2026-01-01", "", "")],
        "startup": [
            (i, NOW, NOW, f"Startup {i}", f"startup{i}", "", "", False) for i in range(1, startups + 1)
        ],
        "investor": [
            (i, NOW, NOW, f"Investor {i}", f"investor{i}", "vc", "KR", False) for i in range(1, investors + 1)
        ],
        "deal": [],
        "stage_change": [],
        "letter_of_intent": [],
        "follow_up": [],
    }
    for d in range(1, deals + 1):
        s, i = (d - 1) % startups + 1, (d - 1) // startups + 1
        stage = rng.choice(STAGES)
        out["deal"].append((d, NOW, NOW, s, i, 1, stage, NOW, "", ""))
        out["stage_change"].append((d, None, "sourced", NOW, "bench", ""))
        if stage != "sourced":
            out["stage_change"].append((d, "sourced", stage, NOW, "bench", "x" if stage == "lost" else ""))
        if d % USD_EVERY:
            won = rng.randint(1, 500) * 10_000_000
            out["letter_of_intent"].append(
                (
                    NOW,
                    NOW,
                    d,
                    won,
                    "KRW",
                    "common",
                    "2026-01-02",
                    "",
                    "received",
                    "KRW",
                    "1",
                    "2026-01-02",
                    "same currency",
                    won,
                )
            )
        else:  # one LOI in twenty in dollars, with its snapshot, as a converted total would find it
            cents = rng.randint(1, 500) * 100_000
            out["letter_of_intent"].append(
                (
                    NOW,
                    NOW,
                    d,
                    cents,
                    "USD",
                    "common",
                    "2026-01-02",
                    "",
                    "received",
                    "KRW",
                    USD_RATE,
                    "2026-01-02",
                    "bench",
                    cents * 13,
                )
            )
        due = date(2026, 1, 1) + timedelta(days=rng.randint(-30, 60))
        out["follow_up"].append((NOW, NOW, d, due.isoformat(), "", "email", "", "open"))
    return out


def _finish(url: str) -> None:
    """Fill the running totals and kept columns with the product's repair, then VACUUM ANALYZE:
    measure a database the way autovacuum leaves it (statistics fresh, the visibility map set for
    index-only scans), not one a bulk load has just written."""
    from ir_pipeline.summaries import check

    engine = make_engine(url)
    with engine.begin() as connection:
        check.repair(connection)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
        if engine.dialect.name == "sqlite":  # measure a settled file, not a half-gigabyte WAL
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def build(path: Path, *, deals: int, seed: int = 7) -> str:
    """A migrated SQLite database with ``deals`` deals, one LOI and one follow-up each."""
    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    with con:
        for table, values in rows(deals, seed).items():
            names = COLUMNS[table]
            con.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", values
            )
    con.close()
    _finish(url)
    return url


def build_postgresql(admin: str, dbname: str, *, deals: int, seed: int = 7) -> str:
    """The same data set in a new PostgreSQL database ``dbname`` (dropped first), by ``COPY``."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
        # configured as README's Team mode advises for a server on SSD or in memory
        conn.execute(f'ALTER DATABASE "{dbname}" SET random_page_cost = 1.1')
    host = dict(part.split("=", 1) for part in admin.split())
    url = f"postgresql+psycopg://{host.get('user', 'postgres')}@{host.get('host', '127.0.0.1')}:5432/{dbname}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    target = admin.replace(f"dbname={host.get('dbname', '')}", f"dbname={dbname}")
    with psycopg.connect(target) as conn, conn.cursor() as cur:
        for table, values in rows(deals, seed).items():
            with cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        for table in ("event", "startup", "investor", "deal"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    _finish(url)
    return url
