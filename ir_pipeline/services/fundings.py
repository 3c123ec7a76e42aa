"""Funding: the money in the bank, and the only way a deal becomes ``funded``."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.dates import check_day
from ir_pipeline.drafts import FundingDraft
from ir_pipeline.enums import LoiStatus
from ir_pipeline.fx.service import apply_snapshot
from ir_pipeline.models import Deal, Funding, LetterOfIntent
from ir_pipeline.present import funding_view
from ir_pipeline.services.common import lock, positive, start_write
from ir_pipeline.services.deals import move_stage
from ir_pipeline.services.lois import set_loi_status
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

    A further tranche on an already funded deal is recorded without a move. The deal's LOIs
    still standing (received) are converted: the letter became money. ``expected_version`` is
    the deal's, as the person saw it.
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
    standing = session.exec(
        select(LetterOfIntent.id).where(
            LetterOfIntent.deal_id == deal_id, LetterOfIntent.status == LoiStatus.RECEIVED
        )
    ).all()
    for loi_id in standing:
        assert loi_id is not None
        set_loi_status(session, actor=actor, loi_id=loi_id, status=LoiStatus.CONVERTED)
    return funding_view(funding)
