"""Large pipelines for the benchmarks, with a realistic spread, loaded as fast as each database
takes rows.

A data set of N deals has N/50 startups (50 deals each), N/500 investors (2,000 at 1M), twenty
events, one LOI per deal in four currencies (KRW 85%, USD 8%, EUR 4%, JPY 3%) received over two
years with the rate snapshot of its own day, a stage history of one to six moves per deal,
one follow-up per deal (open, done or cancelled), and fundings on 2% of the deals (the funded
ones). Every value is a function of the deal's number, so each table is generated in one
streaming pass and nothing is held in memory but the running totals.

The running totals are the product's own: each deal's facts go through
:func:`ir_pipeline.summaries.contributions.add_deal`, the rule the product applies on every
write; the deals' kept columns (last LOI, next follow-up, LOI count and rank) are the one LOI
and the one open follow-up of each deal. ``tests/test_bench_seed.py`` holds both equal to what
``irp db check-aggregates`` recomputes from the rows.

SQLite is loaded with ``executemany``, PostgreSQL with ``COPY`` (indexes built after the load),
then both are analysed as autovacuum would leave them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ir_pipeline.db import make_engine
from ir_pipeline.fx.rates import convert_minor
from ir_pipeline.migrate import upgrade
from ir_pipeline.queries.sums import halves, ranking_part
from ir_pipeline.summaries.contributions import RATE, DealFacts, Totals, add_deal, with_member_counts

NOW = "2026-01-01 00:00:00"
START = date(2024, 1, 1)
DAYS = 730
EVENTS = 20
FUNNEL = ("sourced", "pitched", "loi", "diligence", "term_sheet", "funded")
#: (currency, share of LOIs in %, minor digits, KRW per unit on day 0)
CURRENCIES = (("KRW", 85, 0, "1"), ("USD", 8, 2, "1300"), ("EUR", 4, 2, "1450"), ("JPY", 3, 0, "9.1"))
#: current stage by share in %: (stage, share); lost and on_hold deals stopped at some stage
STAGES = (
    ("sourced", 20), ("pitched", 20), ("loi", 18), ("diligence", 12), ("term_sheet", 8),
    ("funded", 2), ("lost", 15), ("on_hold", 5),
)  # fmt: skip

COLUMNS: dict[str, tuple[str, ...]] = {
    "event": ("id", "created_at", "updated_at", "name", "starts_on", "ends_on", "venue", "organiser"),
    "startup": ("id", "created_at", "updated_at", "name", "name_key", "sector", "description", "is_demo"),
    "investor": ("id", "created_at", "updated_at", "name", "name_key", "kind", "country", "is_demo"),
    "deal": (
        "id", "created_at", "updated_at", "startup_id", "investor_id", "event_id", "stage",
        "stage_changed_at", "reached", "lost_from", "owner", "notes", "last_loi_minor",
        "last_loi_currency", "last_loi_on", "next_follow_up_on", "loi_count", "loi_rank",
    ),
    "stage_change": ("deal_id", "from_stage", "to_stage", "changed_at", "changed_by", "reason"),
    "letter_of_intent": (
        "id", "created_at", "updated_at", "deal_id", "amount_minor", "currency", "instrument",
        "received_on", "conditions", "status", "fx_base", "fx_rate", "fx_day", "fx_source",
        "converted_minor",
    ),
    "follow_up": (
        "id", "created_at", "updated_at", "deal_id", "due_on", "owner", "channel", "note", "status",
        "completed_at",
    ),
    "funding": (
        "id", "created_at", "updated_at", "deal_id", "amount_minor", "currency", "instrument", "closed_on",
        "fx_base", "fx_rate", "fx_day", "fx_source", "converted_minor",
    ),
    "funnel_sum": (
        "scope", "scope_id", "measure", "stage", "currency", "status", "member_id", "n", "amount_hi",
        "amount_lo",
    ),
    "funnel_rate": ("scope", "scope_id", "kind", "base", "currency", "day", "rate", "source", "n"),
}  # fmt: skip


def shape(deals: int) -> tuple[int, int]:
    """Startups and investors for ``deals`` deals: 50 deals per startup, 500 per investor."""
    return max(10, deals // 50), max(50, deals // 500)


def _mix(d: int, salt: int) -> int:
    """A well-spread 32-bit number from the deal's number (a multiplicative hash)."""
    x = (d * 0x9E3779B1 + salt * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    return x ^ (x >> 12)


def _pick(table: tuple[tuple[Any, int], ...], roll: int) -> Any:
    for value, share in table:
        if roll < share:
            return value
        roll -= share
    return table[-1][0]


@dataclass(frozen=True, slots=True)
class Deal:
    id: int
    startup: int
    investor: int
    event: int
    stage: str
    path: tuple[str, ...]  # the funnel stages passed, in order
    currency: str
    amount: int  # minor units
    day: date  # the LOI's day
    rate: Decimal  # KRW per unit that day
    converted: int
    funded: int  # the funding's amount (0: none)
    funded_converted: int
    follow_up: str  # its status
    due: date


def rate_of(currency: str, day: date) -> Decimal:
    base = next(Decimal(r) for c, _s, _d, r in CURRENCIES if c == currency)
    if currency == "KRW":
        return base
    step = (day - START).days % 40 - 20  # a rate that moves from day to day
    return (base * (1000 + step) / 1000).quantize(Decimal("0.01"))


def deal(d: int, startups: int, investors: int) -> Deal:
    startup = (d - 1) % startups + 1
    k = (d - 1) // startups  # the startup's k-th deal: each with a different investor
    investor = (startup * 37 + k * max(1, investors // 50)) % investors + 1
    stage = _pick(STAGES, _mix(d, 1) % 100)
    if stage in ("lost", "on_hold"):
        stopped = FUNNEL[_mix(d, 2) % 5]
        path = FUNNEL[: FUNNEL.index(stopped) + 1]
    else:
        path = FUNNEL[: FUNNEL.index(stage) + 1]
    currency, _share, digits, _rate = _pick(tuple((c, c[1]) for c in CURRENCIES), _mix(d, 3) % 100)
    unit = 10**digits
    if currency == "KRW":
        amount = (_mix(d, 4) % 500 + 1) * 10_000_000
    elif currency == "JPY":
        amount = (_mix(d, 4) % 500 + 1) * 1_000_000
    else:
        amount = (_mix(d, 4) % 500 + 1) * 10_000 * unit
    day = START + timedelta(days=_mix(d, 5) % DAYS)
    rate = rate_of(currency, day)
    converted = convert_minor(amount, currency, rate, "KRW")
    funded = amount // 2 if stage == "funded" else 0
    funded_converted = convert_minor(funded, currency, rate, "KRW") if funded else 0
    follow_up = ("open", "open", "done", "cancelled")[_mix(d, 6) % 4]
    due = START + timedelta(days=DAYS - 30 + _mix(d, 7) % 90)
    return Deal(
        d, startup, investor, (d - 1) % EVENTS + 1, stage, path, currency, amount, day, rate,
        converted, funded, funded_converted, follow_up, due,
    )  # fmt: skip


@lru_cache(maxsize=1)
def deals_of(n: int) -> tuple[Deal, ...]:
    """Every deal's facts, made once per data set (each table's pass reads them again)."""
    startups, investors = shape(n)
    return tuple(deal(d, startups, investors) for d in range(1, n + 1))


def _at(day: date, hour: int) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00"


def table_rows(table: str, n: int) -> Iterator[tuple[Any, ...]]:
    """One table's rows for a data set of ``n`` deals, streamed."""
    startups, investors = shape(n)
    if table == "event":
        for e in range(1, EVENTS + 1):
            day = (START + timedelta(days=e * 30)).isoformat()
            yield (e, NOW, NOW, f"Bench Day {e}", day, day, "Seoul", "")
    elif table == "startup":
        for i in range(1, startups + 1):
            yield (i, NOW, NOW, f"Startup {i}", f"startup{i}", "", "", False)
    elif table == "investor":
        for i in range(1, investors + 1):
            yield (i, NOW, NOW, f"Investor {i}", f"investor{i}", "vc", "KR", False)
    else:
        rows = _ROWS[table]
        for f in deals_of(n):
            yield from rows(f)


def _deal_rows(f: Deal) -> Iterator[tuple[Any, ...]]:
    lost = f.stage == "lost"
    last = f.path[-1]
    due = f.due.isoformat() if f.follow_up == "open" else None
    rank = float(ranking_part(f.currency, f.amount))
    yield (
        f.id, NOW, NOW, f.startup, f.investor, f.event, f.stage, _at(f.day, 12), last,
        last if lost else None, "", "", f.amount, f.currency, f.day.isoformat(), due, 1, rank,
    )  # fmt: skip


def _history_rows(f: Deal) -> Iterator[tuple[Any, ...]]:
    yield (f.id, None, "sourced", _at(f.day, 0), "bench", "")
    for hour, (a, b) in enumerate(zip(f.path, f.path[1:], strict=False), start=1):
        yield (f.id, a, b, _at(f.day, hour), "bench", "")
    if f.stage in ("lost", "on_hold"):
        yield (f.id, f.path[-1], f.stage, _at(f.day, 12), "bench", "lost" if f.stage == "lost" else "")


def _loi_status(f: Deal) -> str:
    return {"funded": "converted", "lost": "withdrawn"}.get(f.stage, "received")


def _loi_rows(f: Deal) -> Iterator[tuple[Any, ...]]:
    source = _source(f)
    yield (
        f.id, NOW, NOW, f.id, f.amount, f.currency, "common", f.day.isoformat(), "", _loi_status(f),
        "KRW", str(f.rate), f.day.isoformat(), source, f.converted,
    )  # fmt: skip


def _follow_up_rows(f: Deal) -> Iterator[tuple[Any, ...]]:
    done = None if f.follow_up == "open" else _at(f.due, 9)
    yield (f.id, NOW, NOW, f.id, f.due.isoformat(), "", "email", "", f.follow_up, done)


def _funding_rows(f: Deal) -> Iterator[tuple[Any, ...]]:
    if f.funded:
        yield (
            f.id, NOW, NOW, f.id, f.funded, f.currency, "common", f.day.isoformat(), "KRW", str(f.rate),
            f.day.isoformat(), _source(f), f.funded_converted,
        )  # fmt: skip


_ROWS: dict[str, Callable[[Deal], Iterator[tuple[Any, ...]]]] = {
    "deal": _deal_rows,
    "stage_change": _history_rows,
    "letter_of_intent": _loi_rows,
    "follow_up": _follow_up_rows,
    "funding": _funding_rows,
}


@lru_cache(maxsize=1)
def totals(n: int) -> Totals:
    """The running totals of the data set, by the product's own rule for each deal."""
    out: Totals = {}
    for f in deals_of(n):
        hi, lo = halves(f.amount)
        chi, clo = halves(f.converted)
        fundings = None
        source = _source(f)
        if f.funded:
            fhi, flo = halves(f.funded)
            fc = halves(f.funded_converted)
            fundings = [(f.currency, 1, fhi, flo, "KRW", fc[0], fc[1], f.day, f.rate, source)]
        facts = DealFacts(
            event_id=f.event,
            startup_id=f.startup,
            investor_id=f.investor,
            stage=f.stage,
            reached=f.path[-1],
            lost_from=f.path[-1] if f.stage == "lost" else None,
            lois=[(f.currency, _loi_status(f), 1, hi, lo, "KRW", chi, clo, f.day, f.rate, source)],
            fundings=fundings,
        )
        add_deal(out, facts)
    return with_member_counts(out)


def _source(f: Deal) -> str:
    return "same currency" if f.currency == "KRW" else "bench"


def _cells(n: int) -> Iterator[tuple[Any, ...]]:
    for key, (count, hi, lo) in sorted((k, v) for k, v in totals(n).items() if k[0] != RATE):
        if count or hi or lo:
            yield (*key, count, hi, lo)


def _rate_cells(n: int) -> Iterator[tuple[Any, ...]]:
    for key, (count, _hi, _lo) in totals(n).items():
        if key[0] == RATE and count:
            scope, ident, kind, base, currency, day, rate, source = key[1:]
            yield (scope, ident, kind, base, currency, day.isoformat(), str(rate), source, count)


def _rows(table: str, n: int) -> Iterator[tuple[Any, ...]]:
    if table == "funnel_sum":
        return _cells(n)
    if table == "funnel_rate":
        return _rate_cells(n)
    return table_rows(table, n)


TABLES = ("event", "startup", "investor", "deal", "stage_change", "letter_of_intent", "follow_up", "funding")
SUMMARIES = ("funnel_sum", "funnel_rate")


def _finish(url: str) -> None:
    """Analyse as autovacuum would leave the database (statistics fresh, the visibility map set
    for index-only scans), not as a bulk load has just written it."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def build(path: Path, *, deals: int, progress: Callable[[str], None] = lambda _: None) -> str:
    """A migrated SQLite database with ``deals`` deals (see the module's description)."""
    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA cache_size=-262144")
    with con:
        for table in (*TABLES, *SUMMARIES):
            names = COLUMNS[table]
            rows = _rows(table, deals)
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            con.executemany(sql, rows)
            progress(table)
    con.close()
    _finish(url)
    return url


def build_postgresql(
    admin: str, dbname: str, *, deals: int, progress: Callable[[str], None] = lambda _: None
) -> str:
    """The same data set in a new PostgreSQL database ``dbname`` (dropped first), by ``COPY``
    into tables whose secondary indexes are dropped for the load and built again after it."""
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
    with psycopg.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        indexes = cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i LEFT JOIN pg_constraint c"
            " ON c.conname = i.indexname WHERE i.schemaname = 'public' AND c.oid IS NULL"
            " AND i.tablename = ANY(%s)",
            (list((*TABLES, *SUMMARIES)),),
        ).fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        # no trigger fires for this session's rows: not the trail's (a bench load is not a
        # user's change), nor the foreign keys' checks, one per row (the rows are made
        # consistent, and tests/test_bench_seed.py checks a small set through the product)
        cur.execute("SET session_replication_role = replica")
        for table in (*TABLES, *SUMMARIES):
            rows = _rows(table, deals)
            with cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            progress(table)
        cur.execute("SET session_replication_role = DEFAULT")
        for _, definition in indexes:
            cur.execute(definition)
        progress("indexes")
        for table in ("event", "startup", "investor", "deal", "letter_of_intent", "follow_up", "funding"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    _finish(url)
    return url
