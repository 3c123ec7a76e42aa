"""The funnel read from its running totals (``funnel_sum``), for everything, one event, one
startup or one investor: the same figures as :func:`~ir_pipeline.queries.funnel.funnel_from_rows`
(tests hold the two equal after every kind of change), at a cost that does not grow with the
number of LOIs."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.models import FunnelSum, Investor, Startup
from ir_pipeline.money import Money, Totals
from ir_pipeline.queries.funnel import (
    FundingSummary,
    Funnel,
    FunnelFilter,
    LoiSummary,
    RankedTotal,
    assemble,
    cumulative,
    parties,
    ranked,
    shares,
)
from ir_pipeline.queries.sums import joined
from ir_pipeline.stages import FUNNEL, Stage
from ir_pipeline.summaries.contributions import ALL, EVENT, INVESTOR, MEMBER_SCOPES, STARTUP, Measure

Scope = tuple[str, int]
_RANK = {stage.value: i for i, stage in enumerate(FUNNEL)}
_HALF = float(2**32)


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
    if scope[0] in MEMBER_SCOPES:
        startups = _members(session, scope, Measure.STARTUP_LOIS)
        investors = _members(session, scope, Measure.INVESTOR_LOIS)
        currencies = (sorted(loi_total), sorted(funded))
        by_startup = _ranked(session, scope, "startup", ranking_limit, currencies)
        by_investor = _ranked(session, scope, "investor", ranking_limit, currencies)
    else:  # one startup's or one investor's deals: the other side is read from the base rows
        startups, investors = parties(session, actor=actor, flt=flt)
        # the scope's own company ranks alone on its side, with the scope's own totals
        model: Any = Startup if scope[0] == STARTUP else Investor
        name = session.exec(select(model.name).where(model.id == scope[1])).first()
        alone = [RankedTotal(scope[1], str(name), loi_count, loi_total, funded)] if loi_count else []
        alone = alone[:ranking_limit]
        if scope[0] == STARTUP:
            by_startup = alone
            by_investor = ranked(session, actor=actor, flt=flt, by="investor", limit=ranking_limit)
        else:
            by_startup = ranked(session, actor=actor, flt=flt, by="startup", limit=ranking_limit)
            by_investor = alone
    lois = LoiSummary(
        count=loi_count, startups=startups, investors=investors, total=loi_total, by_status=dict(by_status)
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


def _member_cells(scope: Scope, measure: Measure) -> Any:
    t: Any = FunnelSum.__table__  # type: ignore[attr-defined]
    # member cells have no stage or status: saying so lets the primary key seek the currency
    # and the member
    return t, (t.c.scope == scope[0]) & (t.c.scope_id == scope[1]) & (t.c.measure == measure.value) & (
        t.c.stage == ""
    ) & (t.c.status == "") & (t.c.n != 0)


def _members(session: Session, scope: Scope, measure: Measure) -> int:
    t, where = _member_cells(scope, measure)
    return int(
        session.execute(sa.select(sa.func.count(sa.distinct(t.c.member_id))).where(where)).scalar_one()
    )


def _ranked(
    session: Session, scope: Scope, by: str, limit: int, currencies: tuple[list[str], list[str]]
) -> list[RankedTotal]:
    """The same order as :func:`~ir_pipeline.queries.funnel.ranked`: KRW total, then LOIs, then id.
    ``currencies`` are those of the scope's LOIs and fundings (so the top members' cells are read
    by their whole primary key, not by a pass over every member's)."""
    lois_measure = Measure.STARTUP_LOIS if by == "startup" else Measure.INVESTOR_LOIS
    funds_measure = Measure.STARTUP_FUNDINGS if by == "startup" else Measure.INVESTOR_FUNDINGS
    t, where = _member_cells(scope, lois_measure)
    krw = sa.func.sum(sa.case((t.c.currency == "KRW", t.c.amount_hi * _HALF + t.c.amount_lo), else_=0.0))
    count = sa.func.sum(t.c.n)
    top = session.execute(
        sa.select(t.c.member_id, count)
        .where(where)
        .group_by(t.c.member_id)
        .order_by(krw.desc(), count.desc(), t.c.member_id)
        .limit(limit)
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
        t, where = _member_cells(scope, measure)
        for ident, currency, hi, lo in session.execute(
            sa.select(t.c.member_id, t.c.currency, t.c.amount_hi, t.c.amount_lo).where(
                where, t.c.currency.in_(in_currencies), t.c.member_id.in_(ids)
            )
        ).all():
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
