"""Deals and their stage moves. Every move appends a ``StageChange`` in the same transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import history
from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.errors import Conflict, IllegalStageMove, Invalid
from ir_pipeline.models import Deal, Event, Funding, Investor, StageChange, Startup
from ir_pipeline.models.base import SHORT_LENGTH
from ir_pipeline.present import stage_change_view
from ir_pipeline.queries.deals import get_deal_row
from ir_pipeline.services.common import free_text, get_or_raise, lock, optional_text, start_write
from ir_pipeline.services.followups import cancel_open_follow_ups, reopen_follow_ups_cancelled_by
from ir_pipeline.stages import Stage, check_move
from ir_pipeline.views import DealRow, StageChangeView


def open_deal(
    session: Session,
    *,
    actor: Actor,
    startup_id: int,
    investor_id: int,
    event_id: int | None = None,
    stage: Stage = Stage.SOURCED,
    owner: str = "",
    notes: str = "",
    at: datetime | None = None,
) -> DealRow:
    """Start an interest thread between a startup and an investor (one per pair)."""
    start_write(session, actor, "open deals")
    if stage in (Stage.FUNDED, Stage.LOST, Stage.ON_HOLD):
        raise Invalid(f"a new deal cannot start at {stage.label}: open it, then move it", field="stage")
    moment = at or utcnow()
    opening = history.Move(0, None, stage, moment)
    return insert_deal(
        session,
        actor=actor,
        startup_id=startup_id,
        investor_id=investor_id,
        event_id=event_id,
        opening=opening,
        reason="deal opened",
        owner=owner,
        notes=notes,
        at=moment,
    )


def insert_deal(
    session: Session,
    *,
    actor: Actor,
    startup_id: int,
    investor_id: int,
    event_id: int | None,
    opening: history.Move,
    reason: str,
    owner: str = "",
    notes: str = "",
    at: datetime,
) -> DealRow:
    """Write a new deal (one per pair) in the state its ``opening`` move gives it
    (:func:`history.step`), and that move as the first of its history: the one way a deal is
    opened, here or as recorded elsewhere (:mod:`ir_pipeline.services.recorded_deals`)."""
    startup = get_or_raise(session, Startup, startup_id, "startup")
    investor = get_or_raise(session, Investor, investor_id, "investor")
    if event_id is not None:
        get_or_raise(session, Event, event_id, "event")
    existing = session.exec(
        select(Deal).where(Deal.startup_id == startup_id, Deal.investor_id == investor_id)
    ).first()
    if existing is not None:
        raise Conflict(f"{startup.name} and {investor.name} already have deal #{existing.id}")
    state = history.step(None, opening)
    deal = Deal(
        startup_id=startup_id,
        investor_id=investor_id,
        event_id=event_id,
        stage=state.stage,
        stage_changed_at=state.since,
        reached=state.reached,
        lost_from=state.lost_from,
        owner=optional_text(owner, field="owner", what="the owner", max_length=SHORT_LENGTH),
        notes=free_text(notes, field="notes", what="the notes"),
        created_at=at,
        updated_at=at,
    )
    session.add(deal)
    session.flush()
    assert deal.id is not None
    session.add(
        StageChange(
            deal_id=deal.id,
            from_stage=None,
            to_stage=opening.to_stage,
            changed_at=opening.changed_at,
            changed_by=actor.name,
            reason=reason,
            opened_reached=opening.opened_reached,
            opened_lost_from=opening.opened_lost_from,
        )
    )
    session.flush()
    return get_deal_row(session, actor=actor, deal_id=deal.id)


def find_or_open_deal(
    session: Session,
    *,
    actor: Actor,
    startup_id: int,
    investor_id: int,
    event_id: int | None = None,
    at: datetime | None = None,
) -> Deal:
    """The pair's deal, opened at ``sourced`` when there is none yet (for LOIs and imports)."""
    existing = session.exec(
        select(Deal).where(Deal.startup_id == startup_id, Deal.investor_id == investor_id)
    ).first()
    if existing is not None:
        return existing
    row = open_deal(
        session, actor=actor, startup_id=startup_id, investor_id=investor_id, event_id=event_id, at=at
    )
    deal = session.get(Deal, row.id)
    assert deal is not None
    return deal


def update_deal(
    session: Session,
    *,
    actor: Actor,
    deal_id: int,
    owner: str | None = None,
    notes: str | None = None,
    notes_shared: bool | None = None,
    expected_version: int | None = None,
) -> DealRow:
    """Edit a deal's owner and notes; ``notes_shared`` shares the notes with the startup or makes
    them internal again (they are internal unless staff share them)."""
    start_write(session, actor, "edit deals")
    deal = lock(session, Deal, deal_id, "deal", expected_version=expected_version)
    if owner is not None:
        deal.owner = optional_text(owner, field="owner", what="the owner", max_length=SHORT_LENGTH)
    if notes is not None:
        deal.notes = free_text(notes, field="notes", what="the notes")
    if notes_shared is not None:
        deal.notes_shared = notes_shared
    deal.updated_at = utcnow()
    session.flush()
    return get_deal_row(session, actor=actor, deal_id=deal_id)


def move_stage(
    session: Session,
    *,
    actor: Actor,
    deal_id: int,
    to: Stage,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
    cancel_follow_ups: bool = True,
) -> StageChangeView:
    """Move a deal along the pipeline, or raise :class:`IllegalStageMove` and change nothing.

    ``lost`` needs a reason (managers ask why deals die) and ``funded`` needs a recorded funding
    (the money in the bank is the point of the whole pipeline). The deal is locked first, so two
    people moving it at once take turns and the history stays one chain. A deal that ends (lost or
    funded) has its open follow-ups cancelled, unless ``cancel_follow_ups`` is False.
    """
    start_write(session, actor, "move deals")
    deal = lock(session, Deal, deal_id, "deal", expected_version=expected_version)
    check_move(deal.stage, to)
    reason = free_text(reason, field="reason", what="the reason")
    if to is Stage.LOST and not reason:
        raise Invalid("say why the deal was lost: a reason is required", field="reason")
    if to is Stage.FUNDED:
        funded = session.exec(select(Funding.id).where(Funding.deal_id == deal_id)).first()
        if funded is None:
            raise IllegalStageMove(
                f"deal #{deal_id} has no funding recorded: "
                "record the funding (amount, date) to mark it funded"
            )
    moment = at or utcnow()
    change = StageChange(
        deal_id=deal_id,
        from_stage=deal.stage,
        to_stage=to,
        changed_at=moment,
        changed_by=actor.name,
        reason=reason,
    )
    was = history.DealState(deal.stage, deal.stage_changed_at, deal.reached, deal.lost_from)
    now = history.step(was, history.Move(0, deal.stage, to, moment))
    deal.stage, deal.stage_changed_at = to, moment
    deal.reached, deal.lost_from = now.reached, now.lost_from
    deal.updated_at = moment
    session.flush()  # the deal first: on PostgreSQL the database checks the move against it
    session.add(change)
    session.flush()
    if to.is_terminal and cancel_follow_ups:
        cancel_open_follow_ups(session, actor=actor, deal_id=deal_id, ended=to)
    return stage_change_view(change, reader=actor)


def revert_stage(
    session: Session,
    *,
    actor: Actor,
    deal_id: int,
    reason: str = "",
    expected_version: int | None = None,
) -> StageChangeView:
    """Take back a deal's latest move: the undo of a move, and how a lost deal is reopened (back to
    the stage it was lost from, with a reason). The history keeps both moves; nothing is deleted.

    A funded deal is not reverted here: money was recorded against it, which a move cannot undo.
    A lost deal brought back has the follow-ups that losing it cancelled opened again.
    """
    start_write(session, actor, "move deals")
    deal = lock(session, Deal, deal_id, "deal", expected_version=expected_version)
    latest = session.exec(
        select(StageChange)
        .where(StageChange.deal_id == deal_id)
        .order_by(col(StageChange.changed_at).desc(), col(StageChange.id).desc())
    ).first()
    if latest is None or latest.from_stage is None or latest.to_stage != deal.stage:
        raise IllegalStageMove(f"deal #{deal_id} has no move to take back")
    if deal.stage is Stage.FUNDED:
        raise IllegalStageMove(f"deal #{deal_id} is funded: its funding is recorded, so it stays funded")
    reason = free_text(reason, field="reason", what="the reason")
    if deal.stage is Stage.LOST and not reason:
        raise Invalid("say why the deal is reopened: a reason is required", field="reason")
    back_to = latest.from_stage
    moment = utcnow()
    change = StageChange(
        deal_id=deal_id,
        from_stage=deal.stage,
        to_stage=back_to,
        changed_at=moment,
        changed_by=actor.name,
        reason=reason or f"undo of the move to {deal.stage.label}",
        undoes_id=latest.id,
    )
    # back to the state before the move, as if it had not been made: the days in stage run on
    # from when the deal first got there, and the move counts for no figure
    assert latest.id is not None
    returned = history.before(_moves(session, deal_id), latest.id)
    ended = deal.stage
    deal.stage = back_to
    if returned.stage is back_to:
        deal.stage_changed_at = returned.since
        deal.reached, deal.lost_from = returned.reached, returned.lost_from
    else:  # a history this rule did not write: a plain move back
        deal.stage_changed_at, deal.lost_from = moment, None
    deal.updated_at = moment
    session.flush()  # the deal first, as in move_stage
    session.add(change)
    session.flush()
    if ended.is_terminal:
        reopen_follow_ups_cancelled_by(
            session, actor=actor, deal_id=deal_id, ended=ended, since=latest.changed_at
        )
    return stage_change_view(change, reader=actor)


def _moves(session: Session, deal_id: int) -> list[history.Move]:
    """A deal's stage history in its order, as :mod:`ir_pipeline.history` replays it."""
    rows = session.execute(
        sa.select(
            col(StageChange.id),
            col(StageChange.from_stage),
            col(StageChange.to_stage),
            col(StageChange.changed_at),
            col(StageChange.undoes_id),
            col(StageChange.opened_reached),
            col(StageChange.opened_lost_from),
        )
        .where(col(StageChange.deal_id) == deal_id)
        .order_by(col(StageChange.changed_at), col(StageChange.id))
    ).all()
    return [history.Move(int(i), f, t, at, u, r, lf) for i, f, t, at, u, r, lf in rows]
