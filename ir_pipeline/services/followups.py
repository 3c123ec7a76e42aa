"""Follow-ups: things to chase by a date. Closed as done or cancelled, never deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.enums import FollowUpStatus
from ir_pipeline.errors import Invalid
from ir_pipeline.models import Deal, FollowUp, Investor, Startup
from ir_pipeline.models.base import SHORT_LENGTH
from ir_pipeline.present import follow_up_view
from ir_pipeline.services.common import free_text, get_or_raise, lock, optional_text, start_write
from ir_pipeline.stages import Stage
from ir_pipeline.views import FollowUpView


def _view(session: Session, follow_up: FollowUp, actor: Actor) -> FollowUpView:
    deal = get_or_raise(session, Deal, follow_up.deal_id, "deal")
    startup = get_or_raise(session, Startup, deal.startup_id, "startup")
    investor = get_or_raise(session, Investor, deal.investor_id, "investor")
    return follow_up_view(follow_up, startup.name, investor.name, reader=actor)


def add_follow_up(
    session: Session,
    *,
    actor: Actor,
    deal_id: int,
    draft: FollowUpDraft,
    at: datetime | None = None,
    status: FollowUpStatus = FollowUpStatus.OPEN,
) -> FollowUpView:
    """Add a follow-up to a deal. A funded or lost deal takes no open one; one already done or
    cancelled (``status``, from an import of the deal's history) is recorded closed."""
    start_write(session, actor, "add follow-ups")
    deal = lock(session, Deal, deal_id, "deal")
    if deal.stage.is_terminal and status is FollowUpStatus.OPEN:
        raise Invalid(f"deal #{deal_id} is {deal.stage.label}: there is nothing left to follow up")
    moment = at or utcnow()
    follow_up = FollowUp(
        deal_id=deal_id,
        due_on=draft.due_on,
        owner=optional_text(draft.owner, field="owner", what="the owner", max_length=SHORT_LENGTH),
        channel=draft.channel,
        note=free_text(draft.note, field="note", what="the note"),
        note_shared=draft.shared,
        status=status,
        completed_at=None if status is FollowUpStatus.OPEN else moment,
        created_at=moment,
        updated_at=moment,
    )
    session.add(follow_up)
    session.flush()
    return _view(session, follow_up, actor)


def _open(session: Session, follow_up_id: int, expected_version: int | None) -> FollowUp:
    follow_up = lock(session, FollowUp, follow_up_id, "follow-up", expected_version=expected_version)
    if follow_up.status is not FollowUpStatus.OPEN:
        raise Invalid(f"follow-up #{follow_up_id} is already {follow_up.status.value}")
    return follow_up


def _append_note(existing: str, addition: str) -> str:
    addition = free_text(addition, field="note", what="the note")
    if not addition:
        return existing
    return free_text(f"{existing}\n{addition}" if existing else addition, field="note", what="the note")


def _close(
    session: Session,
    follow_up_id: int,
    status: FollowUpStatus,
    note: str,
    at: datetime | None,
    expected_version: int | None,
) -> FollowUp:
    follow_up = _open(session, follow_up_id, expected_version)
    moment = at or utcnow()
    follow_up.status = status
    follow_up.completed_at = moment
    follow_up.note = _append_note(follow_up.note, note)
    follow_up.updated_at = moment
    session.flush()
    return follow_up


def complete_follow_up(
    session: Session,
    *,
    actor: Actor,
    follow_up_id: int,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> FollowUpView:
    """Mark done; a closing note is added below the original, which is kept."""
    start_write(session, actor, "complete follow-ups")
    return _view(
        session, _close(session, follow_up_id, FollowUpStatus.DONE, note, at, expected_version), actor
    )


def cancel_follow_up(
    session: Session,
    *,
    actor: Actor,
    follow_up_id: int,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> FollowUpView:
    start_write(session, actor, "cancel follow-ups")
    return _view(
        session, _close(session, follow_up_id, FollowUpStatus.CANCELLED, reason, at, expected_version), actor
    )


def reschedule_follow_up(
    session: Session,
    *,
    actor: Actor,
    follow_up_id: int,
    due_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> FollowUpView:
    """Snooze or bring forward an open follow-up."""
    start_write(session, actor, "reschedule follow-ups")
    follow_up = _open(session, follow_up_id, expected_version)
    follow_up.due_on = due_on
    follow_up.note = _append_note(follow_up.note, note)
    follow_up.updated_at = utcnow()
    session.flush()
    return _view(session, follow_up, actor)


def annotate_follow_up(
    session: Session,
    *,
    actor: Actor,
    follow_up_id: int,
    note: str,
    shared: bool | None = None,
    expected_version: int | None = None,
) -> FollowUpView:
    """Add a line to a follow-up's note; earlier lines are never overwritten (the row is locked
    first, so two people adding a line at once both keep theirs). ``shared`` also shares the
    whole note with the startup (``True``) or makes it internal again (``False``)."""
    start_write(session, actor, "annotate follow-ups")
    if not note.strip():
        raise Invalid("the note is empty", field="note")
    follow_up = lock(session, FollowUp, follow_up_id, "follow-up", expected_version=expected_version)
    follow_up.note = _append_note(follow_up.note, note)
    if shared is not None:
        follow_up.note_shared = shared
    follow_up.updated_at = utcnow()
    session.flush()
    return _view(session, follow_up, actor)


def share_follow_up(
    session: Session, *, actor: Actor, follow_up_id: int, shared: bool, expected_version: int | None = None
) -> FollowUpView:
    """Share a follow-up's note with the startup, or make it internal again (the default: notes
    are written about a company, not to it). The note itself is unchanged; the trail keeps who
    shared it and when."""
    start_write(session, actor, "share follow-up notes")
    follow_up = lock(session, FollowUp, follow_up_id, "follow-up", expected_version=expected_version)
    if follow_up.note_shared is not shared:
        follow_up.note_shared = shared
        follow_up.updated_at = utcnow()
        session.flush()
    return _view(session, follow_up, actor)


def reopen_follow_up(
    session: Session,
    *,
    actor: Actor,
    follow_up_id: int,
    note: str = "",
    restore_note: str | None = None,
    expected_version: int | None = None,
) -> FollowUpView:
    """Open a done or cancelled follow-up again (a correction, or the undo of completing it).

    Its note is kept, with ``note`` below it if given; the reopening itself is in the trail (who,
    when, the status), not in the note. ``restore_note``, for an undo, puts the note back exactly
    as it was before it was closed: closing only appends a line, so the note must still begin
    with it (an undo never rewrites what someone wrote since)."""
    start_write(session, actor, "reopen follow-ups")
    follow_up = lock(session, FollowUp, follow_up_id, "follow-up", expected_version=expected_version)
    if follow_up.status is FollowUpStatus.OPEN:
        raise Invalid(f"follow-up #{follow_up_id} is already open")
    deal = get_or_raise(session, Deal, follow_up.deal_id, "deal")
    if deal.stage.is_terminal:
        raise Invalid(f"deal #{deal.id} is {deal.stage.label}: reopen the deal first")
    if restore_note is not None:
        if (
            restore_note
            and follow_up.note != restore_note
            and not follow_up.note.startswith(f"{restore_note}\n")
        ):
            raise Invalid(f"follow-up #{follow_up_id}'s note changed since it was closed: reopen it instead")
        follow_up.note = restore_note
    follow_up.status = FollowUpStatus.OPEN
    follow_up.completed_at = None
    follow_up.note = _append_note(follow_up.note, note)
    follow_up.updated_at = utcnow()
    session.flush()
    return _view(session, follow_up, actor)


def _ended(stage: Stage) -> str:
    """The note line of a follow-up cancelled because its deal ended (and how to find it again)."""
    return f"deal {stage.label.lower()}"


def cancel_open_follow_ups(session: Session, *, actor: Actor, deal_id: int, ended: Stage) -> int:
    """Cancel every open follow-up of a deal that has ended (lost or funded): nothing left to chase.
    Cancelled, not deleted: each keeps its note, with the reason below it."""
    start_write(session, actor, "cancel follow-ups")
    ids = session.exec(
        select(FollowUp.id).where(FollowUp.deal_id == deal_id, FollowUp.status == FollowUpStatus.OPEN)
    ).all()
    for ident in ids:
        assert ident is not None
        _close(session, ident, FollowUpStatus.CANCELLED, _ended(ended), None, None)
    return len(ids)


def reopen_follow_ups_cancelled_by(
    session: Session, *, actor: Actor, deal_id: int, ended: Stage, since: datetime
) -> int:
    """The twin of :func:`cancel_open_follow_ups`, for a deal brought back: the follow-ups that its
    ending cancelled (and only those) are open again."""
    start_write(session, actor, "reopen follow-ups")
    cancelled = session.exec(
        select(FollowUp).where(
            FollowUp.deal_id == deal_id,
            FollowUp.status == FollowUpStatus.CANCELLED,
            col(FollowUp.completed_at) >= since,
        )
    ).all()
    line = _ended(ended)
    reopened = [f for f in cancelled if f.note.rsplit("\n", 1)[-1] == line]
    for follow_up in reopened:
        assert follow_up.id is not None
        # the note as it was before the deal ended: the line its ending added comes off again
        before = follow_up.note[: -len(line)].removesuffix("\n")
        reopen_follow_up(session, actor=actor, follow_up_id=follow_up.id, restore_note=before)
    return len(reopened)
