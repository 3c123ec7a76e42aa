"""``irp db check-aggregates``: the stored totals against a recomputation from the base rows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import SQLModel

from ir_pipeline.summaries import deal_columns, store
from ir_pipeline.summaries.contributions import (
    LOI_RATES,
    RATE,
    Key,
    Totals,
    difference,
    totals_for_range,
    with_member_counts,
)


@dataclass(frozen=True, slots=True)
class Mismatch:
    key: Key
    stored: tuple[int, int, int]
    recomputed: tuple[int, int, int]

    def __str__(self) -> str:
        if self.key[0] == RATE:
            _, _, _, kind, base, currency, day, rate, source = self.key
            what = "LOIs" if kind == LOI_RATES else "fundings"
            return (
                f"all deals: {what} in {currency} converted to {base} at {rate} on {day} ({source})"
                f" are stored as {self.stored[0]}, recomputed as {self.recomputed[0]}"
            )
        scope, ident, measure, stage, currency, status, member = self.key
        where = (
            "all deals"
            if scope == "a"
            else f"{ {'e': 'event', 's': 'startup', 'i': 'investor'}[scope] } #{ident}"
        )
        parts = [p for p in (stage, currency, status, f"member #{member}" if member else "") if p]
        cell = f"{measure}[{', '.join(parts)}]" if parts else measure
        return (
            f"{where}: {cell} is stored as {self._figure(self.stored)},"
            f" recomputed as {self._figure(self.recomputed)}"
        )

    @staticmethod
    def _figure(value: tuple[int, int, int]) -> str:
        n, hi, lo = value
        return f"{n}" if not hi and not lo else f"{n} (amount {hi * 2**32 + lo})"


def recompute(connection: sa.Connection) -> Totals:
    return with_member_counts(totals_for_range(connection))


def check(connection: sa.Connection, fresh: Totals | None = None) -> list[Mismatch]:
    """Every cell whose stored value differs from the recomputed one (empty when all agree)."""
    fresh = recompute(connection) if fresh is None else fresh
    kept = store.stored(connection)
    return [
        Mismatch(
            key,
            tuple(kept.get(key, (0, 0, 0))),  # type: ignore[arg-type]
            tuple(fresh.get(key, (0, 0, 0))),  # type: ignore[arg-type]
        )
        for key in sorted(difference(fresh, kept))
    ]


def stale_deals(connection: sa.Connection) -> list[int]:
    """Deals whose kept last-LOI or next-follow-up columns are out of date."""
    return deal_columns.stale(connection, SQLModel.metadata)


def repair(connection: sa.Connection) -> int:
    """Replace the stored totals with the recomputed ones and refresh the deals' kept columns;
    returns how many cells and deals were wrong."""
    store.take_turn(connection)
    fresh = recompute(connection)
    wrong = len(check(connection, fresh))
    stale = stale_deals(connection)
    store.make_equal(connection, fresh)
    deal_columns.refresh_ids(connection, SQLModel.metadata, stale)
    return wrong + len(stale)
