"""Importing 100k LOI rows: rows/s, and the ratio to a plain sqlite3 ``executemany`` of the same rows.

Run: ``python -m bench.bench_import [ROWS]``. Both are measured in this run on this machine:
the baseline inserts the already-parsed rows straight into ``letter_of_intent`` (no parsing, no
name matching, no checks); the product reads the CSV, parses Korean amounts and dates, matches
names, opens deals with history and checks for duplicates, all in one transaction.
"""

from __future__ import annotations

import csv
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.enums import Role
from ir_pipeline.io.importer import import_file
from ir_pipeline.migrate import upgrade

STAFF = Actor(name="bench", role=Role.STAFF)
STARTUPS, INVESTORS = 2_000, 500
KOREAN_AMOUNTS = ["3억", "1.5억", "5천만원", "2억 5천만", "1,000,000,000", "7억", "4,500만", "12억"]


def make_database(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    now = "2026-01-01 00:00:00"
    with con:
        con.executemany(
            "INSERT INTO startup (created_at, updated_at, name, name_key, sector, description, is_demo)"
            " VALUES (?, ?, ?, ?, '', '', 0)",
            [(now, now, f"(주)스타트업{i}", f"스타트업{i}") for i in range(STARTUPS)],
        )
        con.executemany(
            "INSERT INTO investor (created_at, updated_at, name, name_key, kind, country, is_demo)"
            " VALUES (?, ?, ?, ?, 'vc', 'KR', 0)",
            [(now, now, f"투자사{i}", f"투자사{i}") for i in range(INVESTORS)],
        )
    con.close()


def make_csv(path: Path, rows: int) -> list[tuple[int, int, int, str]]:
    """A CP949 CSV like Korean Excel writes; returns the parsed rows for the baseline."""
    rng = random.Random(5)
    parsed = []
    with path.open("w", encoding="cp949", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["기업명", "투자사", "금액", "통화", "접수일", "투자방식"])
        for n in range(rows):
            s, i = n % STARTUPS, (n // STARTUPS) % INVESTORS
            day = 1 + rng.randrange(28)
            amount_text = rng.choice(KOREAN_AMOUNTS)
            writer.writerow(
                [f"주식회사 스타트업{s}", f"투자사{i}", amount_text, "KRW", f"2026.02.{day:02d}", "RCPS"]
            )
            parsed.append((s + 1, i + 1, 100_000_000 + n, f"2026-02-{day:02d}"))
    return parsed


def baseline(path: Path, parsed: list[tuple[int, int, int, str]]) -> float:
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE raw_loi (deal INTEGER, amount INTEGER, currency TEXT, instrument TEXT, received TEXT)"
    )
    start = time.perf_counter()
    with con:
        con.executemany(
            "INSERT INTO raw_loi VALUES (?, ?, 'KRW', 'rcps', ?)",
            [(s * 1000 + i, amount, received) for s, i, amount, received in parsed],
        )
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        db, raw_db, source = base / "irp.sqlite3", base / "raw.sqlite3", base / "lois.csv"
        make_database(db)
        parsed = make_csv(source, rows)
        raw_seconds = baseline(raw_db, parsed)
        engine = make_engine(f"sqlite:///{db}")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        with unit_of_work(engine) as session:
            report = import_file(session, actor=STAFF, kind="lois", path=source)
        seconds = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        engine.dispose()
        assert report.created + report.skipped == rows and not report.problems
        print(f"file: {rows:,} rows, {source.stat().st_size / 1e6:.1f} MB CP949 CSV")
        print(
            f"irp import lois: {seconds:.2f}s = {rows / seconds:,.0f} rows/s "
            f"({report.created:,} created, {report.skipped:,} duplicates skipped)"
        )
        print(f"sqlite3 executemany of the same rows: {raw_seconds:.2f}s = {rows / raw_seconds:,.0f} rows/s")
        print(f"ratio (import / executemany): {seconds / raw_seconds:.1f}x")
        print(f"peak RSS grew by {(rss_after - rss_before) / 1024:.0f} MB during the import")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
