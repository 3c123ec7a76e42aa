"""What a notice says: its type, its JSON payload and the one line people read in their chat.

Every notice carries the deal it is about (with its startup and investor by id and name), the
record (an LOI, a stage move, a funding, a follow-up), who did it and when, and ``summary``:
``[LOI] 윈드셀 ← 한빛벤처스 1억 5천만 원 (RCPS)``. Chat formats (Slack, Teams, JANDI) are built from
this one payload, so they never disagree about what happened.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ir_pipeline.clock import utcnow
from ir_pipeline.enums import label
from ir_pipeline.models import Deal, Investor, OutboxEvent, Startup
from ir_pipeline.models.base import table_of
from ir_pipeline.money import Money, format_korean, format_symbol
from ir_pipeline.stages import Stage

#: Every type of notice, with what it means (``irp notify`` lists these).
TYPES: dict[str, str] = {
    "loi.received": "an LOI was recorded",
    "loi.updated": "an LOI's amount, dates, instrument or conditions were edited",
    "loi.withdrawn": "an investor withdrew an LOI",
    "loi.status_changed": "an LOI's status changed otherwise (expired, converted, received again)",
    "loi.expiring": "an LOI's validity ends within the warning period",
    "deal.opened": "a deal was opened",
    "deal.moved": "a deal moved to another stage",
    "funding.recorded": "money arrived: a funding was recorded",
    "followup.created": "a follow-up was planned",
    "followup.completed": "a follow-up was done",
    "followup.cancelled": "a follow-up was cancelled",
    "followup.reopened": "a closed follow-up was opened again",
    "followup.snoozed": "a follow-up's due date moved",
    "followup.overdue": "a follow-up passed its due date while still open",
    "import.completed": "a file was imported (one notice per file, not per row)",
    "notify.test": "a test notice, sent to one endpoint by `irp notify test`",
}
#: Notices addressed to one endpoint, never queued for the others.
ADDRESSED = frozenset({"notify.test"})


@dataclass(frozen=True, slots=True)
class DealRef:
    """The deal a notice is about, as the payload names it."""

    id: int
    stage: str
    startup_id: int
    startup: str
    investor_id: int
    investor: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "stage": self.stage,
            "startup": {"id": self.startup_id, "name": self.startup},
            "investor": {"id": self.investor_id, "name": self.investor},
        }


def deal_refs(connection: sa.Connection, deal_ids: Iterable[int]) -> dict[int, DealRef]:
    """The deals (with their startup's and investor's names) that notices name, in one query."""
    ids = sorted(set(deal_ids))
    if not ids:
        return {}
    deal, startup, investor = table_of(Deal), table_of(Startup), table_of(Investor)
    rows = connection.execute(
        sa.select(
            deal.c.id,
            sa.type_coerce(deal.c.stage, sa.String),
            startup.c.id,
            startup.c.name,
            investor.c.id,
            investor.c.name,
        )
        .join(startup, startup.c.id == deal.c.startup_id)
        .join(investor, investor.c.id == deal.c.investor_id)
        .where(deal.c.id.in_(ids))
    ).all()
    return {row[0]: DealRef(*row) for row in rows}


def amount_text(minor: int, currency: str) -> str:
    """``1억 5천만 원`` for won (as Korean teams say it), ``$2,000,000.00`` otherwise."""
    money = Money.from_minor(minor, currency)
    return format_korean(money) if currency == "KRW" else format_symbol(money)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Stage):
        return value.value
    return value


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice before it is written: ``record`` is the LOI, move, funding or follow-up as
    plain JSON values; ``once_key`` makes a scan's notice unique."""

    type: str
    deal: DealRef | None
    record: Mapping[str, Any]
    summary: str
    once_key: str | None = None
    #: The summary without staff's own words (a move's reason), where it has any: what a
    #: startup's own endpoint is sent (:func:`for_endpoint`).
    shared_summary: str | None = None


def row(notice: Notice, *, actor: str, at: datetime | None = None) -> dict[str, Any]:
    """The ``outbox_event`` row for ``notice``, with a new stable event id."""
    if notice.type not in TYPES:
        raise ValueError(f"unknown notice type {notice.type!r}")
    moment = at or utcnow()
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {
        "type": notice.type,
        "id": event_id,
        "created_at": moment.isoformat(),
        "actor": actor,
        "deal": None if notice.deal is None else notice.deal.as_json(),
        "data": {k: _jsonable(v) for k, v in notice.record.items()},
        "summary": notice.summary,
    }
    if notice.shared_summary is not None:
        payload["shared_summary"] = notice.shared_summary
    return {
        "event_id": event_id,
        "type": notice.type,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "actor": actor,
        "created_at": moment,
        "deal_id": None if notice.deal is None else notice.deal.id,
        "startup_id": None if notice.deal is None else notice.deal.startup_id,
        "once_key": notice.once_key,
    }


#: What of a notice's record is staff's own: a startup's endpoint is sent these empty (a note
#: that staff shared, ``note_shared``, stays). The same rule as the screens' (``present``).
INTERNAL_FIELDS = ("note", "reason")


def for_endpoint(payload: str, *, startup_scoped: bool) -> str:
    """The payload as one endpoint is sent it: a startup's own endpoint (one scoped to a startup,
    which may be the startup's own channel) never receives staff's internal notes or reasons;
    the staff's endpoints get the notice as written, less the startup's summary."""
    if not startup_scoped and '"shared_summary"' not in payload:
        return payload
    body = json.loads(payload)
    shared = body.pop("shared_summary", None)
    if startup_scoped:
        data = body.get("data") or {}
        for name in INTERNAL_FIELDS:
            if name in data and not (name == "note" and data.get("note_shared") is True):
                data[name] = ""
        if shared is not None:
            body["summary"] = shared
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def write(connection: sa.Connection, notices: list[Notice], *, actor: str, once: bool = False) -> int:
    """Append ``notices`` to the outbox on ``connection`` (the caller's transaction); returns how
    many were written. With ``once``, a notice whose ``once_key`` is already there (written by a
    scan running at the same time) is left out rather than failing the transaction."""
    if not notices:
        return 0
    moment = utcnow()
    table = table_of(OutboxEvent)
    rows = [row(n, actor=actor, at=moment) for n in notices]
    if not once:
        connection.execute(table.insert(), rows)
        return len(rows)
    statement: Any
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=["once_key"])
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["once_key"])
    written = 0
    for each in rows:  # one by one, counting the rows the database says it wrote
        written += len(connection.execute(statement.returning(table.c.id), each).all())
    return written


def pair(deal: DealRef | None) -> str:
    """``윈드셀 ← 한빛벤처스``: the startup, then the investor interested in it."""
    return "(deal gone)" if deal is None else f"{deal.startup} ← {deal.investor}"


def stage_label(value: str | None) -> str:
    return "—" if value is None else Stage(value).label


def instrument_label(value: Any) -> str:
    return label(value) if value is not None else ""
