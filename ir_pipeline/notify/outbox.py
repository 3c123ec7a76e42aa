"""Notices from every change, in the change's own transaction.

Like the audit trail, notices come from one session hook rather than a call in each service:
after each flush, the LOIs, stage moves, fundings and follow-ups that the flush inserted or changed
become ``outbox_event`` rows on the flush's own connection, so they commit or roll back with the
change (a rolled-back savepoint takes its notices with it), and no service can forget one.

Imports write one summary notice per file instead of one per row (:func:`import_completed`): a
session bound to an import batch makes no per-row notices.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from ir_pipeline import audit
from ir_pipeline.enums import FollowUpStatus, LoiStatus
from ir_pipeline.models import FollowUp, Funding, LetterOfIntent, StageChange
from ir_pipeline.notify.events import (
    DealRef,
    Notice,
    amount_text,
    deal_refs,
    instrument_label,
    pair,
    stage_label,
    write,
)

_WATCHED = (LetterOfIntent, StageChange, Funding, FollowUp)
#: LOI fields whose edit is worth a notice (bookkeeping columns are not).
_LOI_FIELDS = ("amount_minor", "amount_max_minor", "currency", "instrument", "received_on", "valid_until")


def _changed(obj: Any, key: str) -> bool:
    history = sa.inspect(obj).attrs[key].history
    return bool(history.has_changes()) and history.deleted != history.added


def _loi(obj: LetterOfIntent) -> dict[str, Any]:
    return {
        "loi_id": obj.id,
        "amount": str(obj.amount_minor),
        "amount_max": None if obj.amount_max_minor is None else str(obj.amount_max_minor),
        "currency": obj.currency,
        "instrument": obj.instrument.value,
        "received_on": obj.received_on,
        "valid_until": obj.valid_until,
        "status": obj.status.value,
    }


def _follow_up(obj: FollowUp) -> dict[str, Any]:
    return {
        "follow_up_id": obj.id,
        "due_on": obj.due_on,
        "owner": obj.owner,
        "channel": obj.channel.value,
        "status": obj.status.value,
        "note": obj.note,
        "note_shared": obj.note_shared,
    }


def _loi_notice(kind: str, obj: LetterOfIntent, deal: DealRef | None) -> Notice:
    amount = amount_text(obj.amount_minor, obj.currency)
    tag = {"loi.received": "LOI", "loi.withdrawn": "LOI withdrawn"}.get(kind, "LOI edited")
    if kind == "loi.status_changed":
        tag = f"LOI {obj.status.value}"
    return Notice(
        kind, deal, _loi(obj), f"[{tag}] {pair(deal)} {amount} ({instrument_label(obj.instrument)})"
    )


def _follow_up_notice(kind: str, obj: FollowUp, deal: DealRef | None) -> Notice:
    word = kind.split(".")[1]
    return Notice(
        kind, deal, _follow_up(obj), f"[Follow-up {word}] {pair(deal)} due {obj.due_on.isoformat()}"
    )


def _notices_of(obj: Any, new: bool, deal: DealRef | None) -> list[Notice]:
    if isinstance(obj, LetterOfIntent):
        if new:
            return [_loi_notice("loi.received", obj, deal)]
        out = []
        if _changed(obj, "status"):
            kind = "loi.withdrawn" if obj.status is LoiStatus.WITHDRAWN else "loi.status_changed"
            out.append(_loi_notice(kind, obj, deal))
        if any(_changed(obj, key) for key in _LOI_FIELDS):
            out.append(_loi_notice("loi.updated", obj, deal))
        return out
    if isinstance(obj, StageChange):
        if not new:
            return []
        record = {"from": obj.from_stage, "to": obj.to_stage, "reason": obj.reason}
        if obj.from_stage is None:
            return [
                Notice(
                    "deal.opened", deal, record, f"[Deal] {pair(deal)} opened at {stage_label(obj.to_stage)}"
                )
            ]
        text = f"[Deal] {pair(deal)} {stage_label(obj.from_stage)} → {stage_label(obj.to_stage)}"
        if not obj.reason:
            return [Notice("deal.moved", deal, record, text)]
        return [Notice("deal.moved", deal, record, f"{text}: {obj.reason}", shared_summary=text)]
    if isinstance(obj, Funding):
        if not new:
            return []
        funded: dict[str, Any] = {
            "funding_id": obj.id,
            "amount": str(obj.amount_minor),
            "currency": obj.currency,
            "instrument": obj.instrument.value,
            "closed_on": obj.closed_on,
        }
        amount = amount_text(obj.amount_minor, obj.currency)
        return [Notice("funding.recorded", deal, funded, f"[Funded] {pair(deal)} {amount} received")]
    assert isinstance(obj, FollowUp)
    if new:
        return [_follow_up_notice("followup.created", obj, deal)]
    if _changed(obj, "status"):
        kind = {
            FollowUpStatus.DONE: "followup.completed",
            FollowUpStatus.CANCELLED: "followup.cancelled",
            FollowUpStatus.OPEN: "followup.reopened",
        }[obj.status]
        return [_follow_up_notice(kind, obj, deal)]
    if _changed(obj, "due_on"):
        return [_follow_up_notice("followup.snoozed", obj, deal)]
    return []


def write_notices(session: OrmSession) -> None:
    """After a flush (see :mod:`ir_pipeline.session_hooks`): the notices the changes make."""
    if audit.batch_of(session) is not None:
        return  # an import: one notice for the whole file, written when it completes
    touched = [(obj, True) for obj in session.new if isinstance(obj, _WATCHED)]
    touched += [
        (obj, False)
        for obj in session.dirty
        if isinstance(obj, (LetterOfIntent, FollowUp)) and session.is_modified(obj, include_collections=False)
    ]
    if not touched:
        return
    touched.sort(key=lambda item: (_WATCHED.index(type(item[0])), item[0].id or 0))
    connection = session.connection()
    deals = deal_refs(connection, (obj.deal_id for obj, _new in touched))
    notices = [n for obj, new in touched for n in _notices_of(obj, new, deals.get(obj.deal_id))]
    write(connection, notices, actor=audit.actor_of(session) or "system")


def import_completed(
    session: OrmSession, *, actor: str, kind: str, file: str, counts: dict[str, int]
) -> None:
    """The one notice for an imported file, in the import's transaction; none for a file that
    changed nothing (imported again, say): there is nothing to tell."""
    if not any(counts.get(what) for what in ("created", "updated")):
        return
    parts = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    record = {"kind": kind, "file": file, **counts}
    write(
        session.connection(),
        [Notice("import.completed", None, record, f"[Import] {file}: {kind} — {parts}")],
        actor=actor,
    )
