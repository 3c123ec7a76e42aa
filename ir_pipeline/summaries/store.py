"""Writing the running totals: relative increments, in one statement per change."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from ir_pipeline.models import FunnelSum
from ir_pipeline.summaries.contributions import Totals, difference

_KEY = ("scope", "scope_id", "measure", "stage", "currency", "status", "member_id")
#: Any constant works: it names the one advisory lock that summary writers take in turn.
_LOCK_ID = 0x1A9_F0_5E


def table() -> sa.Table:
    return FunnelSum.__table__  # type: ignore[attr-defined, no-any-return]


def take_turn(connection: sa.Connection) -> None:
    """Let one transaction at a time change the totals, until it ends.

    SQLite writers already take turns (``BEGIN IMMEDIATE``). On PostgreSQL, read-committed
    transactions would otherwise read a deal's facts before another's commit and add on top of
    it, or lock the same cells in different orders and deadlock.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_ID)))


def rows_of(totals: Totals) -> list[dict[str, Any]]:
    return [
        {**dict(zip(_KEY, key, strict=True)), "n": n, "amount_hi": hi, "amount_lo": lo}
        for key, (n, hi, lo) in sorted(totals.items())
    ]


def add(connection: sa.Connection, delta: Totals) -> None:
    """Add ``delta`` to the stored cells, creating the ones that are new."""
    if delta:
        connection.execute(_upsert(connection.dialect.name), rows_of(delta))


@lru_cache(maxsize=2)
def _upsert(dialect_name: str) -> Any:
    # the dialect's own INSERT … ON CONFLICT, imported here: every command loads this module, and
    # the PostgreSQL dialect package costs a SQLite user a tenth of a second at start-up
    t = table()
    statement: Any
    if dialect_name == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(t)
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(t)
    return statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={
            "n": t.c.n + statement.excluded.n,
            "amount_hi": t.c.amount_hi + statement.excluded.amount_hi,
            "amount_lo": t.c.amount_lo + statement.excluded.amount_lo,
        },
    )


def stored(connection: sa.Connection) -> Totals:
    """Every stored cell that is not zero."""
    t = table()
    return {
        tuple(row[:7]): [int(row[7]), int(row[8]), int(row[9])]
        for row in connection.execute(
            sa.select(*(t.c[k] for k in _KEY), t.c.n, t.c.amount_hi, t.c.amount_lo).where(
                (t.c.n != 0) | (t.c.amount_hi != 0) | (t.c.amount_lo != 0)
            )
        )
    }


def make_equal(connection: sa.Connection, totals: Totals) -> None:
    """Bring the stored cells to ``totals`` by adding the difference to each (no ``DELETE``: a
    cell no longer wanted becomes zero, which every reader skips). Staff repair the totals this
    way; on PostgreSQL only the owner may delete rows."""
    add(connection, difference(totals, stored(connection)))


def replace_all(connection: sa.Connection, totals: Totals) -> None:
    connection.execute(sa.delete(table()))
    rows = rows_of(totals)
    for start in range(0, len(rows), 5_000):
        connection.execute(sa.insert(table()), rows[start : start + 5_000])
