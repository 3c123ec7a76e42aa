"""What an export of the pipeline carries beyond the screens' rows, so that an import rebuilds
it: each deal's furthest stage, the stage a lost deal was lost from and why; the fundings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.enums import Instrument
from ir_pipeline.models import Deal, Funding, Investor, StageChange, Startup
from ir_pipeline.money import Money
from ir_pipeline.queries.keyset import Run, walk
from ir_pipeline.queries.scope import visible_deals
from ir_pipeline.stages import Stage


@dataclass(frozen=True, slots=True)
class RecordedFacts:
    reached: Stage | None
    lost_from: Stage | None
    #: Why a lost deal was lost: staff's words, empty for a startup's user (as on its screens).
    lost_reason: str


def deal_facts(session: Session, *, actor: Actor, ids: Iterable[int]) -> dict[int, RecordedFacts]:
    """The facts of the deals ``ids`` that ``actor`` may see, in two queries for a page."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        visible_deals(
            select(col(Deal.id), col(Deal.reached), col(Deal.lost_from), col(Deal.stage)), actor
        ).where(col(Deal.id).in_(wanted))
    ).all()
    reasons: dict[int, str] = {}
    lost = [deal_id for deal_id, _r, _l, stage in rows if stage == Stage.LOST]
    if lost and actor.startup_scope is None:  # the reason is staff's own: never a startup's to read
        latest = (
            sa.select(col(StageChange.deal_id), col(StageChange.reason))
            .where(col(StageChange.deal_id).in_(lost), col(StageChange.to_stage) == Stage.LOST)
            .order_by(col(StageChange.deal_id), col(StageChange.changed_at), col(StageChange.id))
        )
        reasons = {deal_id: reason for deal_id, reason in session.execute(latest).all()}
    return {
        deal_id: RecordedFacts(
            Stage(reached) if reached else None,
            Stage(lost_from) if lost_from else None,
            reasons.get(deal_id, ""),
        )
        for deal_id, reached, lost_from, _stage in rows
    }


@dataclass(frozen=True, slots=True)
class FundingRow:
    id: int
    startup: str
    investor: str
    amount: Money
    instrument: Instrument
    closed_on: date
    converted: Money | None
    fx_rate: Decimal | None
    fx_day: date | None
    fx_source: str | None


def funding_rows(
    session: Session,
    *,
    actor: Actor,
    startup_id: int | None = None,
    after: str | None = None,
    limit: int = 500,
) -> tuple[list[FundingRow], str | None]:
    """Fundings in the order they were recorded (of one startup's deals, with ``startup_id``),
    with their deal's names, paged by keyset."""
    query = visible_deals(
        select(Funding, Startup.name, Investor.name)
        .join(Deal, col(Deal.id) == Funding.deal_id)
        .join(Startup, col(Startup.id) == Deal.startup_id)
        .join(Investor, col(Investor.id) == Deal.investor_id),
        actor,
        startup_id=startup_id,
    )
    walked = walk(
        session,
        query,
        [Run(sa.true(), (col(Funding.id),))],
        key_of=lambda r: (None, r[0].id),
        after=after,
        limit=limit,
    )
    rows = []
    for _, (f, startup, investor) in walked.rows:
        assert f.id is not None
        converted = (
            None
            if f.converted_minor is None or f.fx_base is None
            else Money.from_minor(f.converted_minor, f.fx_base)
        )
        rows.append(
            FundingRow(
                f.id,
                startup,
                investor,
                Money.from_minor(f.amount_minor, f.currency),
                f.instrument,
                f.closed_on,
                converted,
                f.fx_rate,
                f.fx_day,
                f.fx_source,
            )
        )
    return rows, walked.next_after
