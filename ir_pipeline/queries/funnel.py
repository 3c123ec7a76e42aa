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

from ir_pipeline.actors import Actor
from ir_pipeline.models import Deal, Investor, LetterOfIntent, StageChange, Startup
from ir_pipeline.money import Money, Totals
from ir_pipeline.queries.scope import visible_deals
from ir_pipeline.queries.sums import joined, minor_sum, ordering
from ir_pipeline.stages import FUNNEL, Stage


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


@dataclass(frozen=True, slots=True)
class StageFigures:
    stage: Stage
    deals: int
    amount: Totals
    reached: int | None = None
    conversion: Decimal | None = None
    dropped: int | None = None
    lost_from: int = 0


@dataclass(frozen=True, slots=True)
class RankedTotal:
    id: int
    name: str
    lois: int
    total: Totals


@dataclass(frozen=True, slots=True)
class Funnel:
    lois: LoiSummary
    stages: list[StageFigures]
    by_startup: list[RankedTotal] = field(default_factory=list)
    by_investor: list[RankedTotal] = field(default_factory=list)

    @property
    def deals(self) -> int:
        return sum(s.deals for s in self.stages)


def _scoped(query: Any, actor: Actor, flt: FunnelFilter) -> Any:
    return visible_deals(
        query, actor, event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id
    )


def _loi_join(query: Any) -> Any:
    return query.select_from(LetterOfIntent).join(Deal, col(Deal.id) == LetterOfIntent.deal_id)


def loi_summary(session: Session, *, actor: Actor, flt: FunnelFilter = FunnelFilter()) -> LoiSummary:
    counts = session.exec(
        _scoped(
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
    sums = session.exec(
        _scoped(
            _loi_join(select(LetterOfIntent.currency, *minor_sum(col(LetterOfIntent.amount_minor)))),
            actor,
            flt,
        ).group_by(col(LetterOfIntent.currency))
    ).all()
    statuses = session.exec(
        _scoped(_loi_join(select(LetterOfIntent.status, sa.func.count())), actor, flt).group_by(
            col(LetterOfIntent.status)
        )
    ).all()
    return LoiSummary(
        count=int(counts[0]),
        startups=int(counts[1]),
        investors=int(counts[2]),
        total=Totals(Money.from_minor(joined(high, low), currency) for currency, high, low in sums),
        by_status={status.value: int(n) for status, n in statuses},
    )


_RANK = sa.case({stage.value: i for i, stage in enumerate(FUNNEL)}, value=StageChange.to_stage)


def _reached(session: Session, actor: Actor, flt: FunnelFilter) -> dict[int, int]:
    per_deal = _scoped(
        select(StageChange.deal_id, sa.func.max(_RANK).label("reached"))
        .join(Deal, col(Deal.id) == StageChange.deal_id)
        .group_by(col(StageChange.deal_id)),
        actor,
        flt,
    ).subquery()
    rows = session.exec(
        select(per_deal.c.reached, sa.func.count())
        .where(per_deal.c.reached.is_not(None))
        .group_by(per_deal.c.reached)
    ).all()
    exactly = {int(rank): int(n) for rank, n in rows}
    return {rank: sum(n for r, n in exactly.items() if r >= rank) for rank in range(len(FUNNEL))}


def funnel(
    session: Session, *, actor: Actor, flt: FunnelFilter = FunnelFilter(), ranking_limit: int = 10
) -> Funnel:
    deals: dict[Stage, int] = dict(
        session.exec(_scoped(select(Deal.stage, sa.func.count()), actor, flt).group_by(col(Deal.stage))).all()
    )
    amounts: dict[Stage, Totals] = {}
    for stage, currency, high, low in session.exec(
        _scoped(
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
            _scoped(
                select(StageChange.from_stage, sa.func.count())
                .join(Deal, col(Deal.id) == StageChange.deal_id)
                .where(StageChange.to_stage == Stage.LOST),
                actor,
                flt,
            ).group_by(col(StageChange.from_stage))
        ).all()
    )
    reached = _reached(session, actor, flt)

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
            )
        )
    for stage in (Stage.LOST, Stage.ON_HOLD):
        figures.append(
            StageFigures(stage=stage, deals=int(deals.get(stage, 0)), amount=amounts.get(stage, Totals()))
        )
    return Funnel(
        lois=loi_summary(session, actor=actor, flt=flt),
        stages=figures,
        by_startup=ranked(session, actor=actor, flt=flt, by="startup", limit=ranking_limit),
        by_investor=ranked(session, actor=actor, flt=flt, by="investor", limit=ranking_limit),
    )


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
    krw = ordering(
        sa.case((col(LetterOfIntent.currency) == "KRW", col(LetterOfIntent.amount_minor)), else_=0)
    )
    top: Any = session.execute(
        _scoped(
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
        _scoped(
            _loi_join(select(key, LetterOfIntent.currency, *minor_sum(col(LetterOfIntent.amount_minor)))),
            actor,
            flt,
        )
        .where(key.in_(ids))
        .group_by(key, LetterOfIntent.currency)
    ).all():
        totals[int(ident)].add(Money.from_minor(joined(high, low), currency))
    return [RankedTotal(i, names[i], int(r.n), totals[i]) for i, r in zip(ids, top, strict=True)]
