"""The funnel read from its running totals (``funnel_sum``), for everything, one event, one
startup or one investor: the same figures as :func:`~ir_pipeline.queries.funnel.funnel_from_rows`
(tests hold the two equal after every kind of change), at a cost that does not grow with the
number of LOIs."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import validity
from ir_pipeline.actors import Actor
from ir_pipeline.models import Deal, Funding, FunnelSum, Investor, LetterOfIntent, Startup
from ir_pipeline.money import Money, Totals
from ir_pipeline.queries.funnel import (
    FundingSummary,
    Funnel,
    FunnelFilter,
    LoiSummary,
    RankedTotal,
    assemble,
    cumulative,
    lapsed_count,
    shares,
)
from ir_pipeline.queries.sums import joined, minor_sum
from ir_pipeline.stages import FUNNEL_RANK as _RANK
from ir_pipeline.stages import Stage
from ir_pipeline.summaries.contributions import (
    ALL,
    COUNTED_BY,
    EVENT,
    INVESTOR,
    MEMBER_SCOPES,
    RANK_CELLS,
    RANK_INDEX,
    RANK_KEY,
    STARTUP,
    Measure,
)

Scope = tuple[str, int]


def scope_of(actor: Actor, flt: FunnelFilter) -> Scope | None:
    """The one scope of running totals that answers ``flt`` for ``actor``, if there is one."""
    given = [
        (kind, ident)
        for kind, ident in ((EVENT, flt.event_id), (STARTUP, flt.startup_id), (INVESTOR, flt.investor_id))
        if ident is not None
    ]
    own = actor.startup_scope
    if own is not None:
        return (STARTUP, own) if given in ([], [(STARTUP, own)]) else None
    if not given:
        return (ALL, 0)
    return given[0] if len(given) == 1 else None


_MEMBER_MEASURES = (
    Measure.STARTUP_LOIS,
    Measure.INVESTOR_LOIS,
    Measure.STARTUP_FUNDINGS,
    Measure.INVESTOR_FUNDINGS,
    Measure.STARTUP_LOIS_CONVERTED,
    Measure.INVESTOR_LOIS_CONVERTED,
    Measure.STARTUP_FUNDINGS_CONVERTED,
    Measure.INVESTOR_FUNDINGS_CONVERTED,
    Measure.STARTUP_RANK,
    Measure.INVESTOR_RANK,
)
_SCOPE_MEASURES = tuple(m for m in Measure if m not in _MEMBER_MEASURES)


def _cells(session: Session, scope: Scope) -> list[Any]:
    t: Any = FunnelSum.__table__  # type: ignore[attr-defined]
    # named, not "all but the member cells": an index range per measure, rather than a pass over
    # the scope's per-startup cells (twenty thousand of them at a million LOIs)
    return list(
        session.execute(
            sa.select(
                t.c.measure, t.c.stage, t.c.currency, t.c.status, t.c.n, t.c.amount_hi, t.c.amount_lo
            ).where(
                t.c.scope == scope[0],
                t.c.scope_id == scope[1],
                t.c.measure.in_([m.value for m in _SCOPE_MEASURES]),
                t.c.n != 0,
            )
        ).all()
    )


def funnel_from_cells(
    session: Session, scope: Scope, *, actor: Actor, flt: FunnelFilter, ranking_limit: int = 10
) -> Funnel:
    deals: dict[Stage, int] = {}
    amounts: dict[Stage, Totals] = {}
    lost_from: dict[Stage | None, int] = {}
    furthest: dict[int, int] = {}
    loi_total, funded = Totals(), Totals()
    by_status: dict[str, int] = defaultdict(int)
    loi_count = funding_count = funded_deals = 0
    members = {Measure.STARTUPS_WITH_LOIS: 0, Measure.INVESTORS_WITH_LOIS: 0}
    for measure, stage, currency, status, n, hi, lo in _cells(session, scope):
        n = int(n)
        if measure == Measure.DEALS:
            deals[Stage(stage)] = n
        elif measure == Measure.REACHED:
            furthest[_RANK[stage]] = n
        elif measure == Measure.LOST_FROM:
            lost_from[Stage(stage) if stage else None] = n
        elif measure == Measure.LOIS:
            money = Money.from_minor(joined(hi, lo), currency)
            amounts.setdefault(Stage(stage), Totals()).add(money)
            loi_total.add(money)
            by_status[status] += n
            loi_count += n
        elif measure == Measure.FUNDINGS:
            funded.add(Money.from_minor(joined(hi, lo), currency))
            funding_count += n
        elif measure == Measure.FUNDED_DEALS:
            funded_deals = n
        elif measure in members:
            members[Measure(measure)] = n
    if scope[0] in MEMBER_SCOPES:
        currencies = (sorted(loi_total), sorted(funded))
        startups = members[Measure.STARTUPS_WITH_LOIS]
        investors = members[Measure.INVESTORS_WITH_LOIS]
        by_startup = _ranked(session, scope, "startup", ranking_limit, currencies)
        by_investor = _ranked(session, scope, "investor", ranking_limit, currencies)
    else:  # one startup's or one investor's deals: the other side is counted and ranked by deal
        others, ranked_others = _other_side(session, scope, ranking_limit)
        # the scope's own company ranks alone on its side, with the scope's own totals
        model: Any = Startup if scope[0] == STARTUP else Investor
        name = session.exec(select(model.name).where(model.id == scope[1])).first()
        alone = [RankedTotal(scope[1], str(name), loi_count, loi_total, funded)] if loi_count else []
        alone = alone[:ranking_limit]
        if scope[0] == STARTUP:
            startups, investors = int(bool(loi_count)), others
            by_startup, by_investor = alone, ranked_others
        else:
            startups, investors = others, int(bool(loi_count))
            by_startup, by_investor = ranked_others, alone
    lapsed = lapsed_count(session, actor=actor, flt=flt)
    lois = LoiSummary(
        count=loi_count,
        startups=startups,
        investors=investors,
        total=loi_total,
        by_status=validity.restate(by_status, lapsed),
    )
    return assemble(
        deals=deals,
        amounts=amounts,
        lost_from=lost_from,
        reached=cumulative(furthest),
        lois=lois,
        money=FundingSummary(
            count=funding_count, deals=funded_deals, total=funded, of_loi_amount=shares(funded, loi_total)
        ),
        by_startup=by_startup,
        by_investor=by_investor,
    )


def _other_side(session: Session, scope: Scope, limit: int) -> tuple[int, list[RankedTotal]]:
    """In one startup's funnel, the investors it has LOIs from (in one investor's, the startups),
    counted and ranked from its deals' kept LOI count and rank: a startup and an investor share
    one deal, which holds all the LOIs between them. The same order as
    :func:`~ir_pipeline.queries.funnel.ranked`: ranking total, then LOIs, then id."""
    own, other = (
        (col(Deal.startup_id), col(Deal.investor_id))
        if scope[0] == STARTUP
        else (col(Deal.investor_id), col(Deal.startup_id))
    )
    with_lois = (own == scope[1]) & (col(Deal.loi_count) > 0)
    count = int(session.execute(sa.select(sa.func.count()).where(with_lois)).scalar_one())
    top = session.execute(
        sa.select(other, col(Deal.id), col(Deal.loi_count))
        .where(with_lois)
        .order_by(col(Deal.loi_rank).desc(), col(Deal.loi_count).desc(), other)
        .limit(limit)
    ).all()
    if not top:
        return count, []
    deal_ids = [int(d) for _, d, _ in top]
    model: Any = Startup if scope[0] == INVESTOR else Investor
    others = [int(o) for o, _, _ in top]
    names = dict(session.exec(select(model.id, model.name).where(col(model.id).in_(others))).all())
    totals: dict[int, Totals] = {d: Totals() for d in deal_ids}
    funded: dict[int, Totals] = {d: Totals() for d in deal_ids}
    for table, target in ((LetterOfIntent, totals), (Funding, funded)):
        for deal_id, currency, hi, lo in session.execute(
            sa.select(col(table.deal_id), col(table.currency), *minor_sum(col(table.amount_minor)))
            .where(col(table.deal_id).in_(deal_ids))
            .group_by(col(table.deal_id), col(table.currency))
        ).all():
            target[int(deal_id)].add(Money.from_minor(joined(hi, lo), currency))
    return count, [RankedTotal(int(o), names[o], int(n), totals[int(d)], funded[int(d)]) for o, d, n in top]


def member_cells(
    session: Session, scope: Scope, measure: Measure, currencies: list[str], ids: list[int]
) -> list[Any]:
    """``(member_id, currency, n, amount_hi, amount_lo)`` of the listed members' cells in
    ``currencies``, each read by its whole primary key (one lookup per member and currency,
    joined by UNION ALL). A filter on the members instead would pass over every member's cells
    wherever the planner misjudges it: under PostgreSQL's row-level security it estimates a
    single row for any read and walks the scope's twenty thousand cells. (A join to the pairs as
    a table of constants was tried: the planner hashes every member's cells for it.)"""
    pairs = [(currency, ident) for currency in currencies for ident in ids]
    if not pairs:
        return []
    params: dict[str, Any] = {"scope": scope[0], "scope_id": scope[1], "measure": measure.value}
    for i, (currency, ident) in enumerate(pairs):
        params[f"c{i}"], params[f"m{i}"] = currency, ident
    rows = session.execute(_lookups(len(pairs)), params).all()
    return [row for row in rows if row[2] or row[3] or row[4]]


@lru_cache(maxsize=16)
def _lookups(count: int) -> Any:
    """``count`` primary-key lookups of member cells, as one statement built once per size."""
    one = (
        "SELECT member_id, currency, n, amount_hi, amount_lo FROM funnel_sum WHERE scope = :scope"
        " AND scope_id = :scope_id AND measure = :measure AND stage = '' AND status = ''"
        " AND currency = :c{i} AND member_id = :m{i}"
    )
    return sa.text(" UNION ALL ".join(one.format(i=i) for i in range(count)))


@lru_cache(maxsize=4)
def _top_ranks(dialect: str, measure: str) -> Any:
    """The first rank cells in ranking order, read from their index (``measure`` is one of the
    two rank measures, written into the SQL so the planner sees the partial index's condition).
    SQLite's statistics average the primary key over every measure and judge a scope's cells of
    one measure cheaper to sort; with thousands of members they are not, so SQLite is told which
    index to walk (and given the index's own condition, which it matches word for word)."""
    assert measure in COUNTED_BY
    hint, partial = (f" INDEXED BY {RANK_INDEX}", f" AND {RANK_CELLS}") if dialect == "sqlite" else ("", "")
    return sa.text(
        f"SELECT member_id, n FROM funnel_sum{hint} WHERE scope = :scope AND scope_id = :scope_id"
        f" AND measure = '{measure}'{partial} AND n <> 0"
        f" ORDER BY {RANK_KEY} DESC, n DESC, member_id LIMIT :limit"
    )


def _ranked(
    session: Session, scope: Scope, by: str, limit: int, currencies: tuple[list[str], list[str]]
) -> list[RankedTotal]:
    """The same order as :func:`~ir_pipeline.queries.funnel.ranked`: KRW total, then LOIs, then id,
    as the first entries of the rank cells' index (:data:`RANK_INDEX`: no pass over every
    member). ``currencies`` are those of the scope's LOIs and fundings (so the top members' cells
    are read by their whole primary key)."""
    lois_measure = Measure.STARTUP_LOIS if by == "startup" else Measure.INVESTOR_LOIS
    funds_measure = Measure.STARTUP_FUNDINGS if by == "startup" else Measure.INVESTOR_FUNDINGS
    rank = Measure.STARTUP_RANK if by == "startup" else Measure.INVESTOR_RANK
    top = session.execute(
        _top_ranks(session.get_bind().dialect.name, rank.value),
        {"scope": scope[0], "scope_id": scope[1], "limit": limit},
    ).all()
    ids = [int(ident) for ident, _ in top]
    if not ids:
        return []
    model: Any = Startup if by == "startup" else Investor
    names = dict(session.exec(select(model.id, model.name).where(col(model.id).in_(ids))).all())
    totals: dict[int, Totals] = {i: Totals() for i in ids}
    funded: dict[int, Totals] = {i: Totals() for i in ids}
    for measure, target, in_currencies in (
        (lois_measure, totals, currencies[0]),
        (funds_measure, funded, currencies[1]),
    ):
        if not in_currencies:
            continue
        for ident, currency, _n, hi, lo in member_cells(session, scope, measure, in_currencies, ids):
            target[int(ident)].add(Money.from_minor(joined(hi, lo), currency))
    return [
        RankedTotal(i, names[i], int(n), totals[i], funded[i]) for i, (_, n) in zip(ids, top, strict=True)
    ]


def deals_in_scope(session: Session, scope: Scope, *, stage: Stage | None = None) -> int:
    """How many deals a scope holds (at one stage, or all), from the running totals."""
    t: Any = FunnelSum.__table__  # type: ignore[attr-defined]
    query = sa.select(sa.func.coalesce(sa.func.sum(t.c.n), 0)).where(
        t.c.scope == scope[0], t.c.scope_id == scope[1], t.c.measure == Measure.DEALS.value
    )
    if stage is not None:
        query = query.where(t.c.stage == stage.value)
    return int(session.execute(query).scalar_one())
