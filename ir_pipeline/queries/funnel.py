"""The managers' funnel, computed with GROUP BY in the database.

Definitions, so every screen and report agrees:

* **LOI figures** count every LOI recorded on the deals in scope, whatever its status (an LOI
  that later expired was still received); totals are kept per currency.
* **Deals per stage** count deals by their current stage; the stage's **amount** sums the LOIs
  on those deals, so the stage amounts add up to the LOI total.
* **Reached** counts deals whose history ever got to a stage or beyond (a deal that skipped the
  pitch still passed it); **conversion** is reached(next) / reached(stage), and **drop-off** the
  deals that reached a stage but not the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import validity
from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today
from ir_pipeline.fx.converted import Converted, describe, needs_conversion
from ir_pipeline.models import Deal, Funding, Investor, LetterOfIntent, Startup
from ir_pipeline.money import Money, Totals, format_totals, percent
from ir_pipeline.queries.scope import visible_deals
from ir_pipeline.queries.sums import joined, minor_sum, ranking
from ir_pipeline.stages import FUNNEL, FUNNEL_RANK, Stage
from ir_pipeline.text import plural


@dataclass(frozen=True, slots=True)
class FunnelFilter:
    event_id: int | None = None
    startup_id: int | None = None
    investor_id: int | None = None


@dataclass(frozen=True, slots=True)
class LoiSummary:
    count: int
    startups: int
    investors: int
    total: Totals
    by_status: dict[str, int]
    #: ``total`` converted into one currency (see :mod:`ir_pipeline.queries.converted`).
    converted: Converted | None = None


@dataclass(frozen=True, slots=True)
class FundingSummary:
    """The money in the bank: recorded fundings, beside the LOIs that promised them."""

    count: int
    deals: int
    total: Totals
    #: Per currency, the funded amount as a share of the LOI amount (``None`` without LOIs in it).
    of_loi_amount: dict[str, Decimal | None] = field(default_factory=dict)
    converted: Converted | None = None


@dataclass(frozen=True, slots=True)
class StageFigures:
    stage: Stage
    deals: int
    amount: Totals
    reached: int | None = None
    conversion: Decimal | None = None
    dropped: int | None = None
    lost_from: int = 0
    funded: Totals = field(default_factory=Totals)  # money received, on the Funded row
    converted: Converted | None = None  # ``amount`` in one currency


@dataclass(frozen=True, slots=True)
class RankedTotal:
    id: int
    name: str
    lois: int
    total: Totals
    funded: Totals = field(default_factory=Totals)
    converted: Converted | None = None
    funded_converted: Converted | None = None


@dataclass(frozen=True, slots=True)
class Funnel:
    lois: LoiSummary
    stages: list[StageFigures]
    by_startup: list[RankedTotal] = field(default_factory=list)
    by_investor: list[RankedTotal] = field(default_factory=list)
    funded: FundingSummary = field(default_factory=lambda: FundingSummary(0, 0, Totals()))
    #: The currency of the converted figures (``None`` before they are attached).
    base: str | None = None

    @property
    def deals(self) -> int:
        return sum(s.deals for s in self.stages)


def scoped(query: Any, actor: Actor, flt: FunnelFilter) -> Any:
    """``query`` (joined to deals) narrowed to what ``actor`` may see and ``flt`` asks for."""
    return visible_deals(
        query, actor, event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id
    )


def _loi_join(query: Any) -> Any:
    return query.select_from(LetterOfIntent).join(Deal, col(Deal.id) == LetterOfIntent.deal_id)


def _funding_join(query: Any) -> Any:
    return query.select_from(Funding).join(Deal, col(Deal.id) == Funding.deal_id)


def funding_summary(
    session: Session, *, actor: Actor, flt: FunnelFilter = FunnelFilter(), lois: Totals | None = None
) -> FundingSummary:
    """What was actually received, in SQL, with the same scope and filters as the LOI figures."""
    count, deals = session.exec(
        scoped(
            _funding_join(select(sa.func.count(), sa.func.count(sa.distinct(col(Funding.deal_id))))),
            actor,
            flt,
        )
    ).one()
    sums = session.exec(
        scoped(
            _funding_join(select(Funding.currency, *minor_sum(col(Funding.amount_minor)))), actor, flt
        ).group_by(col(Funding.currency))
    ).all()
    total = Totals(Money.from_minor(joined(high, low), currency) for currency, high, low in sums)
    return FundingSummary(count=int(count), deals=int(deals), total=total, of_loi_amount=shares(total, lois))


def shares(funded: Totals, lois: Totals | None) -> dict[str, Decimal | None]:
    """Per currency, the funded amount as a share of the LOI amount (``None`` without LOIs)."""
    out: dict[str, Decimal | None] = {}
    for currency in funded:
        promised = lois.get(currency) if lois is not None else None
        out[currency] = (
            (funded[currency].amount / promised.amount).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            if promised is not None and promised.amount
            else None
        )
    return out


def _funded_by(
    session: Session, actor: Actor, flt: FunnelFilter, key: Any, ids: list[int]
) -> dict[int, Totals]:
    totals: dict[int, Totals] = {i: Totals() for i in ids}
    for ident, currency, high, low in session.exec(
        scoped(
            _funding_join(select(key, Funding.currency, *minor_sum(col(Funding.amount_minor)))), actor, flt
        )
        .where(key.in_(ids))
        .group_by(key, Funding.currency)
    ).all():
        totals[int(ident)].add(Money.from_minor(joined(high, low), currency))
    return totals


def _counts(session: Session, actor: Actor, flt: FunnelFilter) -> tuple[int, int, int]:
    """LOIs, and the startups and investors they come from."""
    n, startups, investors = session.exec(
        scoped(
            _loi_join(
                select(
                    sa.func.count(),
                    sa.func.count(sa.distinct(col(Deal.startup_id))),
                    sa.func.count(sa.distinct(col(Deal.investor_id))),
                )
            ),
            actor,
            flt,
        )
    ).one()
    return int(n), int(startups), int(investors)


def parties(session: Session, *, actor: Actor, flt: FunnelFilter) -> tuple[int, int]:
    """The startups and investors with LOIs in scope (distinct counts, from the base rows)."""
    return _counts(session, actor, flt)[1:]


def lapsed_count(session: Session, *, actor: Actor, flt: FunnelFilter) -> int:
    """LOIs in scope recorded as received whose validity has passed: they count as expired
    (:mod:`ir_pipeline.validity`). Read from the (status, valid_until) index; the running totals
    cannot keep it, since it changes with the date, not with a write."""
    lapsed = validity.lapsed(col(LetterOfIntent.status), col(LetterOfIntent.valid_until), local_today())
    return int(session.exec(scoped(_loi_join(select(sa.func.count()).where(lapsed)), actor, flt)).one())


def loi_summary(session: Session, *, actor: Actor, flt: FunnelFilter = FunnelFilter()) -> LoiSummary:
    counts = _counts(session, actor, flt)
    sums = session.exec(
        scoped(
            _loi_join(select(LetterOfIntent.currency, *minor_sum(col(LetterOfIntent.amount_minor)))),
            actor,
            flt,
        ).group_by(col(LetterOfIntent.currency))
    ).all()
    statuses = session.exec(
        scoped(_loi_join(select(LetterOfIntent.status, sa.func.count())), actor, flt).group_by(
            col(LetterOfIntent.status)
        )
    ).all()
    return LoiSummary(
        count=int(counts[0]),
        startups=int(counts[1]),
        investors=int(counts[2]),
        total=Totals(Money.from_minor(joined(high, low), currency) for currency, high, low in sums),
        by_status=validity.restate(
            {status.value: int(n) for status, n in statuses}, lapsed_count(session, actor=actor, flt=flt)
        ),
    )


def _reached(session: Session, actor: Actor, flt: FunnelFilter) -> dict[int, int]:
    """Deals by the furthest funnel stage they reached (kept on each deal from its corrected
    history, :mod:`ir_pipeline.history`), cumulated along the funnel."""
    rows = session.exec(
        scoped(
            select(Deal.reached, sa.func.count()).where(col(Deal.reached).is_not(None)),
            actor,
            flt,
        ).group_by(col(Deal.reached))
    ).all()
    return cumulative({FUNNEL_RANK[Stage(stage)]: int(n) for stage, n in rows})


def funnel(
    session: Session,
    *,
    actor: Actor,
    flt: FunnelFilter = FunnelFilter(),
    ranking_limit: int = 10,
    base: str | None = None,
) -> Funnel:
    """The funnel for what ``actor`` may see, narrowed by ``flt``, with converted figures in
    ``base`` (the base currency by default).

    Everything, one event, one startup or one investor is read from the running totals (a few
    hundred cells whatever the size); a combination of filters is computed from the base rows.
    """
    from ir_pipeline.queries import converted, funnel_cells

    scope = funnel_cells.scope_of(actor, flt)
    if scope is not None:
        plain = funnel_cells.funnel_from_cells(
            session, scope, actor=actor, flt=flt, ranking_limit=ranking_limit
        )
    else:
        plain = funnel_from_rows(session, actor=actor, flt=flt, ranking_limit=ranking_limit)
    return converted.attach(session, plain, actor=actor, flt=flt, target=base, scope=scope)


def funnel_from_rows(
    session: Session, *, actor: Actor, flt: FunnelFilter = FunnelFilter(), ranking_limit: int = 10
) -> Funnel:
    """The funnel computed from the base rows with GROUP BY (the definition the totals keep)."""
    deals: dict[Stage, int] = dict(
        session.exec(scoped(select(Deal.stage, sa.func.count()), actor, flt).group_by(col(Deal.stage))).all()
    )
    amounts: dict[Stage, Totals] = {}
    for stage, currency, high, low in session.exec(
        scoped(
            _loi_join(
                select(Deal.stage, LetterOfIntent.currency, *minor_sum(col(LetterOfIntent.amount_minor)))
            ),
            actor,
            flt,
        ).group_by(col(Deal.stage), col(LetterOfIntent.currency))
    ).all():
        amounts.setdefault(stage, Totals()).add(Money.from_minor(joined(high, low), currency))
    lost_from: dict[Stage | None, int] = dict(
        session.exec(
            scoped(
                select(Deal.lost_from, sa.func.count()).where(Deal.stage == Stage.LOST), actor, flt
            ).group_by(col(Deal.lost_from))
        ).all()
    )
    lois = loi_summary(session, actor=actor, flt=flt)
    return assemble(
        deals=deals,
        amounts=amounts,
        lost_from=lost_from,
        reached=_reached(session, actor, flt),
        lois=lois,
        money=funding_summary(session, actor=actor, flt=flt, lois=lois.total),
        by_startup=ranked(session, actor=actor, flt=flt, by="startup", limit=ranking_limit),
        by_investor=ranked(session, actor=actor, flt=flt, by="investor", limit=ranking_limit),
    )


def cumulative(exactly: dict[int, int]) -> dict[int, int]:
    """Deals that reached each funnel rank or beyond, from the deals whose furthest is each rank."""
    return {rank: sum(n for r, n in exactly.items() if r >= rank) for rank in range(len(FUNNEL))}


def assemble(
    *,
    deals: dict[Stage, int],
    amounts: dict[Stage, Totals],
    lost_from: dict[Stage | None, int],
    reached: dict[int, int],
    lois: LoiSummary,
    money: FundingSummary,
    by_startup: list[RankedTotal],
    by_investor: list[RankedTotal],
) -> Funnel:
    """The funnel's rows from its parts, however they were counted."""
    figures: list[StageFigures] = []
    for rank, stage in enumerate(FUNNEL):
        here = reached[rank]
        following = reached.get(rank + 1)
        conversion = None
        dropped = None
        if following is not None:
            dropped = here - following
            if here:
                conversion = (Decimal(following) / Decimal(here)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        figures.append(
            StageFigures(
                stage=stage,
                deals=int(deals.get(stage, 0)),
                amount=amounts.get(stage, Totals()),
                reached=here,
                conversion=conversion,
                dropped=dropped,
                lost_from=int(lost_from.get(stage, 0)),
                funded=money.total if stage is Stage.FUNDED else Totals(),
            )
        )
    for stage in (Stage.LOST, Stage.ON_HOLD):
        figures.append(
            StageFigures(stage=stage, deals=int(deals.get(stage, 0)), amount=amounts.get(stage, Totals()))
        )
    return Funnel(lois=lois, stages=figures, by_startup=by_startup, by_investor=by_investor, funded=money)


def ranked(
    session: Session,
    *,
    actor: Actor,
    flt: FunnelFilter = FunnelFilter(),
    by: str = "startup",
    limit: int = 10,
) -> list[RankedTotal]:
    """Startups (or investors) by LOI total, largest first; ties by name.

    Amounts in different currencies are not comparable without a rate, so the order follows the
    base currency (KRW) total, then the LOI count.
    """
    model: Any = Startup if by == "startup" else Investor
    key: Any = col(Deal.startup_id) if by == "startup" else col(Deal.investor_id)
    krw = ranking(col(LetterOfIntent.currency), col(LetterOfIntent.amount_minor))
    top: Any = session.execute(
        scoped(
            _loi_join(select(key.label("id"), sa.func.count().label("n"), krw.label("krw"))),
            actor,
            flt,
        )
        .group_by(key)
        .order_by(krw.desc(), sa.func.count().desc(), key)
        .limit(limit)
    ).all()
    ids = [int(r.id) for r in top]
    if not ids:
        return []
    names = dict(session.exec(select(model.id, model.name).where(model.id.in_(ids))).all())
    totals: dict[int, Totals] = {i: Totals() for i in ids}
    for ident, currency, high, low in session.exec(
        scoped(
            _loi_join(select(key, LetterOfIntent.currency, *minor_sum(col(LetterOfIntent.amount_minor)))),
            actor,
            flt,
        )
        .where(key.in_(ids))
        .group_by(key, LetterOfIntent.currency)
    ).all():
        totals[int(ident)].add(Money.from_minor(joined(high, low), currency))
    funded = _funded_by(session, actor, flt, key, ids)
    return [RankedTotal(i, names[i], int(r.n), totals[i], funded[i]) for i, r in zip(ids, top, strict=True)]


def funded_line(money: FundingSummary) -> str:
    """``₩200,000,000 · 2억 원 from 1 deal (1.2% of the LOI amount)``: one line for every screen,
    with the converted total beside the per-currency ones when there is more than the base."""
    if not money.count:
        return "nothing received yet"
    shares = "; ".join(f"{percent(share)} of the {c} LOI amount" for c, share in money.of_loi_amount.items())
    return f"{total_line(money.total, money.converted)} from {plural(money.deals, 'deal')} ({shares})"


def total_line(total: Totals, converted: Converted | None) -> str:
    """Per-currency totals, and their converted total with the rule that made it: the one way
    every screen, report and listing writes a total (``fx.converted.describe``)."""
    if converted is None or not needs_conversion(total, converted.currency):
        return format_totals(total)
    return describe(total, converted, korean=True)
