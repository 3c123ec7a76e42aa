"""The import figure: 100k LOI rows from a CP949 CSV, against a fair baseline.

The baseline writes the same rows, already parsed and matched, with a plain ``executemany`` into
the same tables (deals, their history, the LOIs, and what the product writes beside them: the
running totals and, on SQLite, the audit rows; PostgreSQL's own triggers write the trail for
both sides) of the same schema and indexes, in one transaction. The product reads the file,
detects its encoding, parses Korean amounts and dates, matches names, opens the deals with their
history, skips duplicates, writes the audit trail and keeps the running totals, also in one
transaction. Each run starts from a fresh copy.
"""

from __future__ import annotations

import csv
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import seed
from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.enums import Role
from ir_pipeline.io.importer import import_file
from ir_pipeline.migrate import upgrade
from ir_pipeline.services.users import login_actor

STAFF = Actor(name="bench", role=Role.STAFF)  # SQLite; on PostgreSQL the login acts
STARTUPS, INVESTORS = 2_000, 500
KOREAN_AMOUNTS = ["3억", "1.5억", "5천만원", "2억 5천만", "1,000,000,000", "7억", "4,500만", "12억"]
NOW = "2026-01-01 00:00:00"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"


def _companies() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    startups = [(i + 1, NOW, NOW, f"(주)스타트업{i}", f"스타트업{i}", "", "", False) for i in range(STARTUPS)]
    investors = [(i + 1, NOW, NOW, f"투자사{i}", f"투자사{i}", "vc", "KR", False) for i in range(INVESTORS)]
    return startups, investors


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
            writer.writerow(
                [
                    f"주식회사 스타트업{s}",
                    f"투자사{i}",
                    rng.choice(KOREAN_AMOUNTS),
                    "KRW",
                    f"2026.02.{day:02d}",
                    "RCPS",
                ]
            )
            parsed.append((s + 1, i + 1, 100_000_000 + n, f"2026-02-{day:02d}"))
    return parsed


def _baseline_rows(parsed: list[tuple[int, int, int, str]], login: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "deal": [(n + 1, NOW, NOW, s, i, "loi", NOW, "", "") for n, (s, i, _, _) in enumerate(parsed)],
        "stage_change": [(n + 1, None, "loi", NOW, login, "import") for n in range(len(parsed))],
        "letter_of_intent": [
            # with the snapshot the product writes for a won LOI: the amount itself
            (
                NOW,
                NOW,
                n + 1,
                amount,
                "KRW",
                "rcps",
                day,
                "",
                "received",
                "KRW",
                "1",
                day,
                "same currency",
                amount,
            )
            for n, (_, _, amount, day) in enumerate(parsed)
        ],
    }


_COLUMNS = {
    "startup": seed.COLUMNS["startup"],
    "investor": seed.COLUMNS["investor"],
    "deal": ("id", "created_at", "updated_at", "startup_id", "investor_id", "stage", "stage_changed_at",
             "owner", "notes"),
    "stage_change": seed.COLUMNS["stage_change"],
    "letter_of_intent": tuple(c for c in seed.COLUMNS["letter_of_intent"] if c != "id"),
}  # fmt: skip


#: What the product writes beside the rows themselves, read back from its first run.
_WRITTEN_BESIDE = {
    "sqlite": ("audit_log", "funnel_sum", "funnel_rate"),
    "postgresql": ("funnel_sum", "funnel_rate"),
}


def _written_beside(url: str, db: str) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """The audit rows and running totals the product's import wrote (columns, rows), so the
    baseline writes the same rows too."""
    engine = make_engine(url)
    out = {}
    with engine.connect() as connection:
        for table in _WRITTEN_BESIDE[db]:
            result = connection.exec_driver_sql(f"SELECT * FROM {table}")
            names = list(result.keys())
            columns = tuple(c for c in names if c != "id")
            rows = [tuple(r._mapping[c] for c in columns) for r in result]
            out[table] = (columns, rows)
    engine.dispose()
    return out


def _insert(table: str, mark: str) -> str:
    columns = _COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


class _Sqlite:
    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.sqlite3"
        engine = make_engine(f"sqlite:///{self.template}")
        upgrade(engine)
        engine.dispose()
        startups, investors = _companies()
        con = sqlite3.connect(self.template)
        with con:
            con.executemany(_insert("startup", "?"), startups)
            con.executemany(_insert("investor", "?"), investors)
        con.close()
        self.folder = folder

    def fresh(self) -> str:
        target = self.folder / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def baseline(self, rows: dict[str, list[tuple[Any, ...]]]) -> float:
        path = self.fresh().removeprefix("sqlite:///")
        con = sqlite3.connect(path)
        start = time.perf_counter()
        with con:
            for table, values in rows.items():
                con.executemany(_insert(table, "?"), values)
        elapsed = time.perf_counter() - start
        con.close()
        return elapsed


class _Postgres:
    """The import as a team runs it: the schema migrated by a non-superuser owner role, the rows
    written by a staff login (row-level security and the database's trail apply to both sides)."""

    OWNER, STAFF = "irp_bench_owner", "irp_bench_staff"

    def __init__(self, folder: Path) -> None:
        import psycopg

        from ir_pipeline.services.users import create_user

        self.psycopg = psycopg
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "irp_bench_import_template" WITH (FORCE)')
            conn.execute('DROP DATABASE IF EXISTS "irp_bench_import_run" WITH (FORCE)')
            for role in (self.STAFF, self.OWNER):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
            conn.execute(f'CREATE ROLE "{self.OWNER}" LOGIN CREATEROLE')
            conn.execute(f'CREATE DATABASE "irp_bench_import_template" OWNER "{self.OWNER}"')
        engine = make_engine(self._url("irp_bench_import_template", self.OWNER))
        upgrade(engine)
        with unit_of_work(engine) as session:
            admin = Actor(name=self.OWNER, role=Role.STAFF, admin=True)
            create_user(session, actor=admin, name=self.STAFF, role=Role.STAFF)
        engine.dispose()
        startups, investors = _companies()
        with psycopg.connect(self._dsn("irp_bench_import_template", self.STAFF)) as conn:
            cur = conn.cursor()
            cur.executemany(_insert("startup", "%s"), startups)
            cur.executemany(_insert("investor", "%s"), investors)
        with psycopg.connect(self._dsn("irp_bench_import_template", self.OWNER)) as conn:
            for table in ("startup", "investor"):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )

    @staticmethod
    def _url(db: str, login: str) -> str:
        return f"postgresql+psycopg://{login}@127.0.0.1:5432/{db}"

    @staticmethod
    def _dsn(db: str, login: str) -> str:
        return PG_ADMIN.replace("dbname=test", f"dbname={db}").replace("user=postgres", f"user={login}")

    def fresh(self) -> str:
        with self.psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "irp_bench_import_run" WITH (FORCE)')
            conn.execute(
                'CREATE DATABASE "irp_bench_import_run" TEMPLATE "irp_bench_import_template"'
                f' OWNER "{self.OWNER}"'
            )
        return self._url("irp_bench_import_run", self.STAFF)

    def baseline(self, rows: dict[str, list[tuple[Any, ...]]]) -> float:
        """``COPY`` of the same rows, the fastest bulk load PostgreSQL has. No login under
        row-level security may ``COPY FROM`` (the product's staged ``INSERT … SELECT`` is its
        way), so the baseline runs as the superuser, which the policies and the trail's
        triggers do not slow: a bound the product cannot reach, shown as such."""
        self.fresh()
        admin = PG_ADMIN.replace("dbname=test", "dbname=irp_bench_import_run")
        with self.psycopg.connect(admin) as conn, conn.cursor() as cur:
            start = time.perf_counter()
            for table, values in rows.items():
                with cur.copy(f"COPY {table} ({', '.join(_COLUMNS[table])}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            conn.commit()
            return time.perf_counter() - start


def measure(db: str, rows: int, repeat: int = 3) -> tuple[float, float]:
    """Medians of the product import and the baseline, alternating, each on a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = base / "lois.csv"
        parsed = make_csv(source, rows)
        target = _Sqlite(base) if db == "sqlite" else _Postgres(base)
        raw_rows = _baseline_rows(parsed, "bench" if db == "sqlite" else _Postgres.STAFF)
        mine, theirs = [], []
        for run in range(repeat):
            url = target.fresh()
            engine = make_engine(url)
            start = time.perf_counter()
            with unit_of_work(engine) as session:
                actor = login_actor(session) if db == "postgresql" else STAFF
                report = import_file(session, actor=actor, kind="lois", path=source)
            mine.append(time.perf_counter() - start)
            engine.dispose()
            assert report.created == rows and not report.problems, report
            if run == 0:
                for table, (columns, written) in _written_beside(url, db).items():
                    _COLUMNS[table] = columns
                    raw_rows[table] = written
            theirs.append(target.baseline(raw_rows))
            print(f"  import: {mine[-1]:.2f} s, baseline {theirs[-1]:.2f} s", flush=True)
        return statistics.median(mine), statistics.median(theirs)


if __name__ == "__main__":
    import sys

    print(
        measure(
            sys.argv[1] if len(sys.argv) > 1 else "sqlite", int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
        )
    )
