"""Writing the running totals: relative increments, in one statement per change."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from ir_pipeline.models import FunnelRate, FunnelSum
from ir_pipeline.summaries.contributions import COUNTED_BY, RATE, Key, Totals, chunks, difference

_KEY = ("scope", "scope_id", "measure", "stage", "currency", "status", "member_id")
_RATE_KEY = ("scope", "scope_id", "kind", "base", "currency", "day", "rate", "source")
#: Any constant works: it names the one advisory lock that summary writers take in turn.
_LOCK_ID = 0x1A9_F0_5E


def table() -> sa.Table:
    return FunnelSum.__table__  # type: ignore[attr-defined, no-any-return]


def rate_table() -> sa.Table:
    return FunnelRate.__table__  # type: ignore[attr-defined, no-any-return]


def tables() -> tuple[str, str]:
    """The names of the tables the running totals live in (recomputed, never copied)."""
    return (table().name, rate_table().name)


def take_turn(connection: sa.Connection) -> None:
    """Let one transaction at a time change the totals, until it ends.

    SQLite writers already take turns (``BEGIN IMMEDIATE``). On PostgreSQL, read-committed
    transactions would otherwise read a deal's facts before another's commit and add on top of
    it, or lock the same cells in different orders and deadlock.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_ID)))


def rows_of(totals: Totals) -> list[dict[str, Any]]:
    """The ``funnel_sum`` rows of ``totals`` (see :func:`rate_rows_of` for the others)."""
    return [
        {**dict(zip(_KEY, key, strict=True)), "n": n, "amount_hi": hi, "amount_lo": lo}
        for key, (n, hi, lo) in sorted(_sums(totals).items())
    ]


def rate_rows_of(totals: Totals) -> list[dict[str, Any]]:
    return [
        {**dict(zip(_RATE_KEY, key[1:], strict=True)), "n": n}
        for key, (n, _hi, _lo) in sorted(_rates(totals).items(), key=lambda item: str(item[0]))
    ]


def _sums(totals: Totals) -> Totals:
    return {k: v for k, v in totals.items() if k[0] != RATE}


def _rates(totals: Totals) -> Totals:
    return {k: v for k, v in totals.items() if k[0] == RATE}


def add(connection: sa.Connection, delta: Totals) -> None:
    """Add one transaction's ``delta`` to the stored cells, creating the ones that are new, and
    move each scope's count of startups (investors) with LOIs by the rank cells that this delta
    brings from zero or takes to zero. Runs in the writers' turn (:func:`take_turn`), so the rank
    cells read here are the ones the upsert changes."""
    if delta:
        _apply(connection, {**delta, **_membership_changes(connection, delta)})


def _apply(connection: sa.Connection, delta: Totals) -> None:
    sums, rates = rows_of(delta), rate_rows_of(delta)
    if sums:
        connection.execute(_upsert(connection.dialect.name), sums)
    if rates:
        connection.execute(_upsert(connection.dialect.name, rates=True), rates)


def _membership_changes(connection: sa.Connection, delta: Totals) -> Totals:
    moved = [key for key, cell in delta.items() if key[0] != RATE and key[2] in COUNTED_BY and cell[0]]
    if not moved:
        return {}
    t = table()
    now: dict[Key, int] = {}
    for part in chunks(moved, 300):
        now.update(
            (tuple(row[:7]), int(row[7]))
            for row in connection.execute(
                sa.select(*(t.c[k] for k in _KEY), t.c.n).where(
                    sa.tuple_(t.c.scope, t.c.scope_id, t.c.measure, t.c.member_id).in_(
                        [(k[0], k[1], k[2], k[6]) for k in part]
                    ),
                    t.c.stage == "",
                    t.c.currency == "",
                    t.c.status == "",
                )
            )
        )
    out: Totals = {}
    for key in moved:
        before = now.get(key, 0)
        after = before + delta[key][0]
        step = 1 if not before and after else -1 if before and not after else 0
        if step:
            counted = (key[0], key[1], COUNTED_BY[key[2]], "", "", "", 0)
            out.setdefault(counted, [0, 0, 0])[0] += step
    return out


@lru_cache(maxsize=4)
def _upsert(dialect_name: str, *, rates: bool = False) -> Any:
    # the dialect's own INSERT … ON CONFLICT, imported here: every command loads this module, and
    # the PostgreSQL dialect package costs a SQLite user a tenth of a second at start-up
    t = rate_table() if rates else table()
    statement: Any
    if dialect_name == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(t)
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(t)
    if rates:
        return statement.on_conflict_do_update(
            index_elements=list(_RATE_KEY), set_={"n": t.c.n + statement.excluded.n}
        )
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
    t, r = table(), rate_table()
    out: Totals = {
        tuple(row[:7]): [int(row[7]), int(row[8]), int(row[9])]
        for row in connection.execute(
            sa.select(*(t.c[k] for k in _KEY), t.c.n, t.c.amount_hi, t.c.amount_lo).where(
                (t.c.n != 0) | (t.c.amount_hi != 0) | (t.c.amount_lo != 0)
            )
        )
    }
    for row in connection.execute(sa.select(*(r.c[k] for k in _RATE_KEY), r.c.n).where(r.c.n != 0)):
        out[(RATE, *row[:8])] = [int(row[8]), 0, 0]
    return out


def make_equal(connection: sa.Connection, totals: Totals) -> None:
    """Bring the stored cells to ``totals`` by adding the difference to each (no ``DELETE``: a
    cell no longer wanted becomes zero, which every reader skips). Staff repair the totals this
    way; on PostgreSQL only the owner may delete rows."""
    _apply(connection, difference(totals, stored(connection)))


def replace_all(connection: sa.Connection, totals: Totals) -> None:
    """Every stored cell replaced by ``totals`` (a copy, a migration that fills the totals). The
    migrations before 0021 run this when there is no rate table yet: 0021 fills it."""
    targets = [(table(), rows_of(totals))]
    if sa.inspect(connection).has_table(rate_table().name):
        targets.append((rate_table(), rate_rows_of(totals)))
    for target, rows in targets:
        connection.execute(sa.delete(target))
        for start in range(0, len(rows), 5_000):
            connection.execute(sa.insert(target), rows[start : start + 5_000])
