"""Funding: the money in the bank, and the only way a deal becomes ``funded``."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.dates import check_day
from ir_pipeline.drafts import FundingDraft
from ir_pipeline.fx.service import apply_snapshot
from ir_pipeline.models import Deal, Funding
from ir_pipeline.present import funding_view
from ir_pipeline.services.common import lock, positive, start_write
from ir_pipeline.services.deals import move_stage
from ir_pipeline.stages import Stage, check_move
from ir_pipeline.views import FundingView


def record_funding(
    session: Session,
    *,
    actor: Actor,
    deal_id: int,
    draft: FundingDraft,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> FundingView:
    """Record money received and move the deal to ``funded`` in the same transaction.

    A further tranche on an already funded deal is recorded without a move. ``expected_version``
    is the deal's, as the person saw it.
    """
    start_write(session, actor, "record fundings")
    deal = lock(session, Deal, deal_id, "deal", expected_version=expected_version)
    positive(draft.amount)
    check_day(draft.closed_on, field="closed_on")
    if deal.stage is not Stage.FUNDED:
        check_move(deal.stage, Stage.FUNDED)
    moment = at or utcnow()
    funding = Funding(
        deal_id=deal_id,
        amount_minor=draft.amount.minor,
        currency=draft.amount.currency,
        instrument=draft.instrument,
        closed_on=draft.closed_on,
        created_at=moment,
        updated_at=moment,
    )
    apply_snapshot(session, funding, retake=True)
    session.add(funding)
    session.flush()
    if deal.stage is not Stage.FUNDED:
        move_stage(
            session,
            actor=actor,
            deal_id=deal_id,
            to=Stage.FUNDED,
            reason=reason or "funding recorded",
            at=moment,
        )
    return funding_view(funding)
