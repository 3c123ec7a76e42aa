"""Deals as another database or a spreadsheet recorded them: opened here at the stage they have
there, since that stage's date (``irp import deals``).

Such a deal's history here begins with one opening move, on the stage's date, that also says what
the deal had done before: the furthest funnel stage it had reached, and the stage a lost deal was
lost from. :mod:`ir_pipeline.history` replays that opening to exactly the deal as recorded, so the
funnel counts it as the other database did and an undo of a later move returns it there.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from ir_pipeline import history
from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.errors import Invalid
from ir_pipeline.services.common import free_text, start_write
from ir_pipeline.services.deals import insert_deal
from ir_pipeline.stages import FUNNEL, FUNNEL_RANK, Stage
from ir_pipeline.views import DealRow

#: What a recorded deal's opening says when the file gave no reason.
RECORDED = "recorded elsewhere"


def recorded_opening(
    stage: Stage, since: datetime, *, reached: Stage | None, lost_from: Stage | None, reason: str
) -> history.Move:
    """The opening move of a deal recorded at ``stage`` (checked; :class:`Invalid` names the
    field): ``reached`` is a funnel stage no earlier than ``stage`` (by default ``stage`` itself,
    or for a lost deal the stage it was lost from); ``lost_from`` is only for a lost deal, which
    also needs a reason, as a move to lost does."""
    if reached is not None and reached not in FUNNEL:
        raise Invalid(f"reached is a stage of the funnel, not {reached.label}", field="reached")
    if stage in FUNNEL and reached is not None and FUNNEL_RANK[reached] < FUNNEL_RANK[stage]:
        raise Invalid(
            f"a deal at {stage.label} has reached {stage.label} at least, not only {reached.label}",
            field="reached",
        )
    if lost_from is not None and stage is not Stage.LOST:
        raise Invalid(f"lost from is for a lost deal; this one is at {stage.label}", field="lost_from")
    if lost_from in (Stage.FUNDED, Stage.LOST):
        raise Invalid(f"a deal is not lost from {lost_from.label}", field="lost_from")
    if stage is Stage.LOST and not reason:
        raise Invalid("say why the deal was lost: a reason is required", field="reason")
    if reached is None and lost_from in FUNNEL_RANK:
        reached = lost_from
    if reached is stage:
        reached = None  # the opening reaches its own stage: nothing more to say
    return history.Move(0, None, stage, since, opened_reached=reached, opened_lost_from=lost_from)


def open_recorded_deal(
    session: Session,
    *,
    actor: Actor,
    startup_id: int,
    investor_id: int,
    stage: Stage,
    since: datetime,
    event_id: int | None = None,
    reached: Stage | None = None,
    lost_from: Stage | None = None,
    reason: str = "",
    owner: str = "",
) -> DealRow:
    """Open the pair's deal at ``stage`` since ``since``, as recorded elsewhere (one per pair).

    A funded deal may be opened so: its money is recorded with it (``irp import fundings``)."""
    start_write(session, actor, "import deals")
    reason = free_text(reason, field="reason", what="the reason")
    opening = recorded_opening(stage, since, reached=reached, lost_from=lost_from, reason=reason)
    return insert_deal(
        session,
        actor=actor,
        startup_id=startup_id,
        investor_id=investor_id,
        event_id=event_id,
        opening=opening,
        reason=reason or RECORDED,
        owner=owner,
        at=utcnow(),
    )
