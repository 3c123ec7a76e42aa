"""Notices that time makes: follow-ups gone overdue, LOIs about to expire.

Nothing changes in the database when a follow-up's due date passes, so no hook can see it: a scan
(``irp notify scan``, and later the TUI every few minutes) looks for them and writes one notice per
occasion. Each notice has a ``once_key`` (the follow-up and its due date; the LOI and its validity
date), unique in the outbox, so any number of scans, one after another or at once, write it once;
a follow-up snoozed to a new date and missed again is a new occasion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.config import EXPIRING_DAYS
from ir_pipeline.enums import FollowUpStatus, LoiStatus
from ir_pipeline.errors import Invalid
from ir_pipeline.models import FollowUp, LetterOfIntent, OutboxEvent
from ir_pipeline.models.base import table_of
from ir_pipeline.notify.events import Notice, amount_text, deal_refs, instrument_label, pair, write
from ir_pipeline.services.common import start_write
from ir_pipeline.text import plural

_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class ScanReport:
    overdue: int
    expiring: int


def scan(session: Session, *, actor: Actor, today: date, expiring_days: int = EXPIRING_DAYS) -> ScanReport:
    """Write the notices that are due by ``today`` and not written yet, in the caller's transaction."""
    start_write(session, actor, "scan for overdue follow-ups and expiring LOIs")
    if not 0 <= expiring_days <= 366:
        raise Invalid("the warning period for expiring LOIs is 0 to 366 days", field="expiring_days")
    connection = session.connection()
    follow_up, loi = table_of(FollowUp), table_of(LetterOfIntent)
    overdue = _occasions(
        connection,
        sa.select(follow_up).where(follow_up.c.status == FollowUpStatus.OPEN, follow_up.c.due_on < today),
        follow_up.c.id,
        lambda r: f"followup.overdue:{r.id}:{r.due_on.isoformat()}",
    )
    written_overdue = _write(
        connection, overdue, actor.name, lambda r, deal, key: _overdue(r, deal, today, key)
    )
    expiring = _occasions(
        connection,
        sa.select(loi).where(
            loi.c.status == LoiStatus.RECEIVED,
            loi.c.valid_until >= today,
            loi.c.valid_until <= today + timedelta(days=expiring_days),
        ),
        loi.c.id,
        lambda r: f"loi.expiring:{r.id}:{r.valid_until.isoformat()}",
    )
    written_expiring = _write(
        connection, expiring, actor.name, lambda r, deal, key: _expiring(r, deal, today, key)
    )
    return ScanReport(overdue=written_overdue, expiring=written_expiring)


def _occasions(
    connection: sa.Connection, query: sa.Select[Any], id_column: Any, key: Any
) -> Iterator[list[tuple[Any, str]]]:
    """The rows ``query`` finds, a chunk at a time in id order, without those already notified."""
    after = 0
    outbox = table_of(OutboxEvent)
    while True:
        rows = connection.execute(query.where(id_column > after).order_by(id_column).limit(_CHUNK)).all()
        if not rows:
            return
        after = rows[-1].id
        keyed = [(r, key(r)) for r in rows]
        done = set(
            connection.execute(
                sa.select(outbox.c.once_key).where(outbox.c.once_key.in_([k for _r, k in keyed]))
            ).scalars()
        )
        fresh = [(r, k) for r, k in keyed if k not in done]
        if fresh:
            yield fresh


def _write(connection: sa.Connection, chunks: Iterator[list[tuple[Any, str]]], actor: str, make: Any) -> int:
    written = 0
    for chunk in chunks:
        deals = deal_refs(connection, (r.deal_id for r, _k in chunk))
        notices = [make(r, deals.get(r.deal_id), k) for r, k in chunk]
        written += write(connection, notices, actor=actor, once=True)
    return written


def _overdue(r: Any, deal: Any, today: date, key: str) -> Notice:
    days = (today - r.due_on).days
    record = {
        "follow_up_id": r.id,
        "due_on": r.due_on,
        "days_overdue": days,
        "owner": r.owner,
        "channel": str(r.channel),
        "note": r.note,
        "note_shared": r.note_shared,
    }
    late = f"{plural(days, 'day')} overdue"
    owner = f" ({r.owner})" if r.owner else ""
    return Notice("followup.overdue", deal, record, f"[Follow-up overdue] {pair(deal)} {late}{owner}", key)


def _expiring(r: Any, deal: Any, today: date, key: str) -> Notice:
    days = (r.valid_until - today).days
    record = {
        "loi_id": r.id,
        "amount": str(r.amount_minor),
        "currency": r.currency,
        "instrument": str(r.instrument),
        "valid_until": r.valid_until,
        "days_left": days,
    }
    when = "today" if days == 0 else f"in {plural(days, 'day')}"
    amount = amount_text(r.amount_minor, r.currency)
    text = f"[LOI expiring] {pair(deal)} {amount} ({instrument_label(r.instrument)}) ends {when}"
    return Notice("loi.expiring", deal, record, text, key)
