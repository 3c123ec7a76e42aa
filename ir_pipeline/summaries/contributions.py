"""What each deal adds to the funnel's running totals: the one rule behind every summary cell.

A deal contributes to four scopes (everything, its event, its startup, its investor) the same
measures: one deal at its current stage, the furthest funnel stage its history reached, the stage
a lost deal was lost from (both as the deal keeps them from its corrected history,
:mod:`ir_pipeline.history`), its LOIs by stage × currency × status, and its fundings. Everything and
each event also keep per-startup and per-investor totals (for the rankings and the distinct
counts); a startup's or investor's own scope reads those few deals from the base rows instead.

The incremental path (:mod:`ir_pipeline.summaries.tracking`) computes this for the deals a change
touched, before and after it, and adds the difference; the check computes it for every deal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from ir_pipeline.queries.sums import RANKED_CURRENCY, minor_sum
from ir_pipeline.stages import Stage

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

K = TypeVar("K", bound="SupportsRichComparison")


class Measure(StrEnum):
    DEALS = "deal"  # deals by current stage
    REACHED = "reach"  # deals by the furthest funnel stage reached
    LOST_FROM = "lost"  # deals lost now, by the stage lost from
    LOIS = "loi"  # LOIs by current stage × currency × status
    FUNDINGS = "fund"  # fundings by currency
    FUNDED_DEALS = "fdeal"  # deals with at least one funding
    STARTUP_LOIS = "loi_s"  # LOIs per startup × currency
    INVESTOR_LOIS = "loi_i"
    STARTUP_FUNDINGS = "fund_s"
    INVESTOR_FUNDINGS = "fund_i"
    # Converted into a base currency (the cell's currency) from each record's snapshot, by the
    # record's own currency (kept in the cell's status): the converted sum, and the original
    # amounts it covers (a currency's total less these is what has no rate yet).
    LOIS_CONVERTED = "loi_x"
    LOIS_COVERED = "loi_v"
    FUNDINGS_CONVERTED = "fund_x"
    FUNDINGS_COVERED = "fund_v"
    STARTUP_LOIS_CONVERTED = "loi_sx"
    INVESTOR_LOIS_CONVERTED = "loi_ix"
    STARTUP_FUNDINGS_CONVERTED = "fund_sx"
    INVESTOR_FUNDINGS_CONVERTED = "fund_ix"
    # The rankings' sort keys, one cell per startup (investor) with LOIs in scope: its LOIs in any
    # currency, and its amount in the ranked currency. An index on them (migration 0020) hands
    # the funnel its top ten without reading every member.
    STARTUP_RANK = "rank_s"
    INVESTOR_RANK = "rank_i"
    # How many startups (investors) have LOIs in scope: not a sum of the deals' parts, so kept
    # by the writers from their rank cells' changes (:func:`ir_pipeline.summaries.store.add`).
    STARTUPS_WITH_LOIS = "mem_s"
    INVESTORS_WITH_LOIS = "mem_i"


#: A cell of ``funnel_sum``: (scope, scope_id, measure, stage, currency, status, member_id); or
#: of ``funnel_rate``: (:data:`RATE`, scope, scope_id, kind, base, currency, day, rate, source).
Key = tuple[Any, ...]
#: The first part of a rate cell's key (``funnel_sum`` keys start with a one-letter scope).
RATE = "rate"
#: A rate cell's kind: the snapshots of LOIs, or of fundings.
LOI_RATES, FUNDING_RATES = "l", "f"
#: count, sum of the amounts' high halves, sum of their low halves
Totals = dict[Key, list[int]]

ALL, EVENT, STARTUP, INVESTOR = "a", "e", "s", "i"
#: Scopes that keep per-startup and per-investor cells.
MEMBER_SCOPES = (ALL, EVENT)
#: rank measure → the measure counting the members that have a rank cell (with LOIs)
COUNTED_BY = {"rank_s": "mem_s", "rank_i": "mem_i"}
#: The index that keeps rank cells in ranking order (migration 0020; outside the metadata), and
#: its sort key, which a reader must spell exactly so for either database to walk the index.
RANK_INDEX = "ix_funnel_sum_rank"
RANK_KEY = "amount_hi * CAST(4294967296 AS DOUBLE PRECISION) + amount_lo"
RANK_CELLS = "measure IN ('rank_s', 'rank_i')"


@dataclass(slots=True)
class DealFacts:
    event_id: int | None
    startup_id: int
    investor_id: int
    stage: str
    reached: str | None = None
    #: The stage a lost deal was lost from (``None``: not lost).
    lost_from: str | None = None
    #: currency, status, n, hi, lo, and the snapshot: base (``None``: none yet), converted hi, lo,
    #: and the snapshot's day, rate and source
    lois: list[tuple[str, str, int, int, int, str | None, int, int, Any, Any, Any]] | None = None
    #: currency, n, hi, lo, base, converted hi, lo, day, rate, source
    fundings: list[tuple[str, int, int, int, str | None, int, int, Any, Any, Any]] | None = None


def _scopes(f: DealFacts) -> tuple[tuple[str, int], ...]:
    if f.event_id is None:
        return ((ALL, 0), (STARTUP, f.startup_id), (INVESTOR, f.investor_id))
    return ((ALL, 0), (STARTUP, f.startup_id), (INVESTOR, f.investor_id), (EVENT, f.event_id))


# plain strings for the keys (an enum member looked up for every cell of every deal adds up)
_DEALS, _REACHED = Measure.DEALS.value, Measure.REACHED.value
_LOST_FROM, _LOIS = Measure.LOST_FROM.value, Measure.LOIS.value
_FUNDINGS, _FUNDED_DEALS = Measure.FUNDINGS.value, Measure.FUNDED_DEALS.value
_STARTUP_LOIS, _INVESTOR_LOIS = Measure.STARTUP_LOIS.value, Measure.INVESTOR_LOIS.value
_STARTUP_FUNDINGS, _INVESTOR_FUNDINGS = Measure.STARTUP_FUNDINGS.value, Measure.INVESTOR_FUNDINGS.value
_LOIS_X, _LOIS_V = Measure.LOIS_CONVERTED.value, Measure.LOIS_COVERED.value
_FUNDINGS_X, _FUNDINGS_V = Measure.FUNDINGS_CONVERTED.value, Measure.FUNDINGS_COVERED.value
_STARTUP_LOIS_X, _INVESTOR_LOIS_X = (
    Measure.STARTUP_LOIS_CONVERTED.value,
    Measure.INVESTOR_LOIS_CONVERTED.value,
)
_STARTUP_FUNDINGS_X = Measure.STARTUP_FUNDINGS_CONVERTED.value
_INVESTOR_FUNDINGS_X = Measure.INVESTOR_FUNDINGS_CONVERTED.value
_STARTUP_RANK, _INVESTOR_RANK = Measure.STARTUP_RANK.value, Measure.INVESTOR_RANK.value


def add_deal(totals: Totals, f: DealFacts, sign: int = 1) -> None:
    """Add (or with ``sign=-1`` take away) one deal's contribution.

    This runs for every deal an import opens (100k at a time), so it is written for speed: one
    local ``add``, plain string keys, nothing done for what a deal has none of."""
    get = totals.get

    def add(key: Key, n: int, hi: int = 0, lo: int = 0) -> None:
        cell = get(key)
        if cell is None:
            totals[key] = [n, hi, lo]
        else:
            cell[0] += n
            cell[1] += hi
            cell[2] += lo

    stage, reached, lost_from, lois, fundings = f.stage, f.reached, f.lost_from, f.lois, f.fundings
    startup, investor = f.startup_id, f.investor_id
    for scope, ident in _scopes(f):
        members = scope in MEMBER_SCOPES
        add((scope, ident, _DEALS, stage, "", "", 0), sign)
        if reached is not None:
            add((scope, ident, _REACHED, reached, "", "", 0), sign)
        if lost_from is not None:
            add((scope, ident, _LOST_FROM, lost_from, "", "", 0), sign)
        for currency, status, n, hi, lo, base, chi, clo, day, rate, source in lois or ():
            n, hi, lo = sign * n, sign * hi, sign * lo
            add((scope, ident, _LOIS, stage, currency, status, 0), n, hi, lo)
            if members:  # the same figures again under the deal's startup and its investor
                add((scope, ident, _STARTUP_LOIS, "", currency, "", startup), n, hi, lo)
                add((scope, ident, _INVESTOR_LOIS, "", currency, "", investor), n, hi, lo)
                rhi, rlo = (hi, lo) if currency == RANKED_CURRENCY else (0, 0)
                add((scope, ident, _STARTUP_RANK, "", "", "", startup), n, rhi, rlo)
                add((scope, ident, _INVESTOR_RANK, "", "", "", investor), n, rhi, rlo)
            if base is not None:
                if scope == ALL:  # the rates used, for the funnel of all deals
                    add((RATE, scope, ident, LOI_RATES, base, currency, day, rate, source), n)
                chi, clo = sign * chi, sign * clo
                add((scope, ident, _LOIS_X, stage, base, currency, 0), n, chi, clo)
                add((scope, ident, _LOIS_V, stage, base, currency, 0), n, hi, lo)
                if members:
                    add((scope, ident, _STARTUP_LOIS_X, "", base, "", startup), n, chi, clo)
                    add((scope, ident, _INVESTOR_LOIS_X, "", base, "", investor), n, chi, clo)
        if fundings:
            add((scope, ident, _FUNDED_DEALS, "", "", "", 0), sign)
            for currency, n, hi, lo, base, chi, clo, day, rate, source in fundings:
                n, hi, lo = sign * n, sign * hi, sign * lo
                add((scope, ident, _FUNDINGS, "", currency, "", 0), n, hi, lo)
                if members:
                    add((scope, ident, _STARTUP_FUNDINGS, "", currency, "", startup), n, hi, lo)
                    add((scope, ident, _INVESTOR_FUNDINGS, "", currency, "", investor), n, hi, lo)
                if base is not None:
                    if scope == ALL:
                        add((RATE, scope, ident, FUNDING_RATES, base, currency, day, rate, source), n)
                    chi, clo = sign * chi, sign * clo
                    add((scope, ident, _FUNDINGS_X, "", base, currency, 0), n, chi, clo)
                    add((scope, ident, _FUNDINGS_V, "", base, currency, 0), n, hi, lo)
                    if members:
                        add((scope, ident, _STARTUP_FUNDINGS_X, "", base, "", startup), n, chi, clo)
                        add((scope, ident, _INVESTOR_FUNDINGS_X, "", base, "", investor), n, chi, clo)


def with_member_counts(totals: Totals) -> Totals:
    """``totals`` of every deal, with the cells counting each scope's startups and investors
    that have LOIs (their rank cells that are not zero)."""
    counts: dict[Key, int] = {}
    for key, (n, _hi, _lo) in totals.items():
        counted = COUNTED_BY.get(key[2]) if key[0] != RATE else None
        if counted is not None and n:
            cell = (key[0], key[1], counted, "", "", "", 0)
            counts[cell] = counts.get(cell, 0) + 1
    for key, n in counts.items():
        totals[key] = [n, 0, 0]
    return totals


def difference(after: Totals, before: Totals) -> Totals:
    """``after - before``, without the cells that did not change."""
    out: Totals = {}
    for key in after.keys() | before.keys():
        a = after.get(key, (0, 0, 0))
        b = before.get(key, (0, 0, 0))
        delta = [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
        if any(delta):
            out[key] = delta
    return out


# -- reading the facts of a set of deals -------------------------------------------------------


def _tables() -> tuple[sa.Table, sa.Table, sa.Table]:
    from sqlmodel import SQLModel

    t = SQLModel.metadata.tables
    return t["deal"], t["letter_of_intent"], t["funding"]


@lru_cache(maxsize=2)
def _statements(by_range: bool) -> tuple[Any, Any, Any]:
    """The three reads, built once with bound parameters (``ids``, or ``low``/``high``): this
    runs on every flush that touches a deal, so no SQL is built or compiled per call."""
    deal, loi, funding = _tables()

    def where(column: Any) -> Any:
        if by_range:
            return (column > sa.bindparam("low")) & (column <= sa.bindparam("high"))
        return column.in_(sa.bindparam("ids", expanding=True))

    def text(column: Any) -> Any:  # the stored string, not an enum member made for each row
        return sa.type_coerce(column, sa.String)

    return (
        sa.select(
            deal.c.id,
            deal.c.event_id,
            deal.c.startup_id,
            deal.c.investor_id,
            text(deal.c.stage),
            text(deal.c.reached),
            text(deal.c.lost_from),
        ).where(where(deal.c.id)),
        sa.select(
            loi.c.deal_id,
            loi.c.currency,
            text(loi.c.status),
            sa.func.count(),
            *minor_sum(loi.c.amount_minor),
            loi.c.fx_base,
            *minor_sum(loi.c.converted_minor),
            loi.c.fx_day,
            loi.c.fx_rate,
            loi.c.fx_source,
        )
        .where(where(loi.c.deal_id))
        .group_by(
            loi.c.deal_id,
            loi.c.currency,
            loi.c.status,
            loi.c.fx_base,
            loi.c.fx_day,
            loi.c.fx_rate,
            loi.c.fx_source,
        ),
        sa.select(
            funding.c.deal_id,
            funding.c.currency,
            sa.func.count(),
            *minor_sum(funding.c.amount_minor),
            funding.c.fx_base,
            *minor_sum(funding.c.converted_minor),
            funding.c.fx_day,
            funding.c.fx_rate,
            funding.c.fx_source,
        )
        .where(where(funding.c.deal_id))
        .group_by(
            funding.c.deal_id,
            funding.c.currency,
            funding.c.fx_base,
            funding.c.fx_day,
            funding.c.fx_rate,
            funding.c.fx_source,
        ),
    )


def deal_facts(connection: sa.Connection, params: dict[str, Any]) -> dict[int, DealFacts]:
    """The facts of the deals named by ``params``: ``{"ids": [...]}`` or ``{"low": a, "high": b}``
    (ids above ``a`` up to ``b``), in three queries."""
    deals, lois, fundings = _statements("low" in params)
    lost = Stage.LOST.value
    facts: dict[int, DealFacts] = {
        ident: DealFacts(
            event_id=event,
            startup_id=startup,
            investor_id=investor,
            stage=stage,
            reached=reached,
            lost_from=(lost_from or "") if stage == lost else None,
        )
        for ident, event, startup, investor, stage, reached, lost_from in connection.execute(
            deals, params
        ).all()
    }
    if not facts:
        return facts
    for statement, name, at in ((lois, "lois", 2), (fundings, "fundings", 1)):
        for ident, *values in connection.execute(statement, params).all():
            f = facts.get(ident)
            if f is not None:
                kept = getattr(f, name)
                (kept if kept is not None else _set(f, name)).append(_whole(values, at))
    return facts


def _whole(row: list[Any], at: int) -> tuple[Any, ...]:
    """A fact row with its count and the four summed halves (from ``at`` on: n, hi, lo, then the
    snapshot's base, converted hi, lo) as integers: a sum over no snapshot is NULL, and
    PostgreSQL sums bigints as numeric."""
    n, hi, lo, base, chi, clo = row[at : at + 6]
    whole = (int(n), int(hi or 0), int(lo or 0), base, int(chi or 0), int(clo or 0))
    return (*row[:at], *whole, *row[at + 6 :])


def _set(f: DealFacts, name: str) -> list[Any]:
    value: list[Any] = []
    setattr(f, name, value)
    return value


def totals_of(facts: Iterable[DealFacts]) -> Totals:
    totals: Totals = {}
    for f in facts:
        add_deal(totals, f)
    return totals


def chunks(ids: Iterable[K], size: int = 500) -> Iterator[list[K]]:
    """``ids`` in order, ``size`` at a time."""
    batch: list[K] = []
    for ident in sorted(ids):
        batch.append(ident)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def totals_for_ids(connection: sa.Connection, ids: Iterable[int]) -> Totals:
    totals: Totals = {}
    for batch in chunks(ids):
        for f in deal_facts(connection, {"ids": batch}).values():
            add_deal(totals, f)
    return totals


def totals_for_range(connection: sa.Connection, *, after_id: int = 0, step: int = 50_000) -> Totals:
    """Every deal with an id above ``after_id`` (all of them by default), a range at a time."""
    deal = _tables()[0]
    top = connection.execute(sa.select(sa.func.max(deal.c.id))).scalar_one() or 0
    totals: Totals = {}
    for low in range(after_id, top, step):
        for f in deal_facts(connection, {"low": low, "high": low + step}).values():
            add_deal(totals, f)
    return totals
