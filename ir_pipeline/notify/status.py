"""How sending went (per endpoint and state, the failed and dead deliveries), and the two ways
staff push one delivery: a test notice to one endpoint, and sending a failed one again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.models import DeliveryStatus, NotifyAttempt, NotifyDelivery, NotifyEndpoint, OutboxEvent
from ir_pipeline.models.base import table_of
from ir_pipeline.notify.delivery import pending_row
from ir_pipeline.notify.endpoints import named
from ir_pipeline.notify.events import Notice, write
from ir_pipeline.queries.keyset import capped_count
from ir_pipeline.services.common import start_write


@dataclass(frozen=True, slots=True)
class EndpointCounts:
    name: str
    pending: int
    delivered: int
    failed: int
    dead: int


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    id: int
    endpoint: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str


@dataclass(frozen=True, slots=True)
class DeliveryStatusSummary:
    endpoints: list[EndpointCounts]
    problems: list[DeliveryProblem]


def _tables() -> tuple[sa.Table, sa.Table, sa.Table]:
    return table_of(NotifyDelivery), table_of(NotifyEndpoint), table_of(OutboxEvent)


def delivery_status(session: Session, *, actor: Actor, limit: int = 50) -> DeliveryStatusSummary:
    actor.require_staff("see how notices were delivered")
    delivery, endpoint, outbox = _tables()
    counts: dict[str, dict[str, int]] = {}
    for name, state, n in session.execute(
        sa.select(endpoint.c.name, sa.type_coerce(delivery.c.status, sa.String), sa.func.count())
        .join(delivery, delivery.c.endpoint_id == endpoint.c.id)
        .where(endpoint.c.removed_at.is_(None))
        .group_by(endpoint.c.name, delivery.c.status)
    ).all():
        counts.setdefault(name, {})[state] = int(n)
    rows = [
        EndpointCounts(name, *(c.get(s.value, 0) for s in DeliveryStatus))
        for name, c in sorted(counts.items())
    ]
    problems = [
        DeliveryProblem(*r)
        for r in session.execute(
            sa.select(
                delivery.c.id,
                endpoint.c.name,
                outbox.c.event_id,
                outbox.c.type,
                delivery.c.status,
                delivery.c.attempts,
                delivery.c.last_status,
                delivery.c.last_error,
            )
            .join(endpoint, endpoint.c.id == delivery.c.endpoint_id)
            .join(outbox, outbox.c.id == delivery.c.event_row)
            .where(delivery.c.status.in_([DeliveryStatus.FAILED, DeliveryStatus.DEAD]))
            .order_by(delivery.c.id.desc())
            .limit(limit)
        ).all()
    ]
    return DeliveryStatusSummary(rows, problems)


def queue_test(session: Session, *, actor: Actor, name: str) -> int:
    """A ``notify.test`` notice, queued for the named endpoint only; returns its delivery id."""
    start_write(session, actor, "send test notices")
    row = named(session, name)
    if not row.active:
        raise Invalid(f"endpoint {name!r} is disabled ({row.disabled_reason}): enable it first")
    connection = session.connection()
    record = {"endpoint": row.name}
    write(
        connection,
        [Notice("notify.test", None, record, f"[Test] ir-pipeline → {row.name}")],
        actor=actor.name,
    )
    delivery, _endpoint, outbox = _tables()
    event_row = connection.execute(sa.select(sa.func.max(outbox.c.id))).scalar_one()
    assert row.id is not None
    result = connection.execute(
        delivery.insert().returning(delivery.c.id),
        [pending_row(row.id, event_row, utcnow())],
    )
    return int(result.scalar_one())


def retry_delivery(session: Session, *, actor: Actor, delivery_id: int) -> None:
    """Make a failed or dead delivery pending again, due now, with its tries counted afresh."""
    start_write(session, actor, "retry deliveries")
    delivery, _endpoint, _outbox = _tables()
    state = session.execute(
        sa.select(delivery.c.status).where(delivery.c.id == delivery_id)
    ).scalar_one_or_none()
    if state is None:
        raise NotFound(f"no delivery #{delivery_id}")
    if state not in (DeliveryStatus.FAILED, DeliveryStatus.DEAD):
        raise Invalid(f"delivery #{delivery_id} is {state.value}: only failed or dead ones are retried")
    session.execute(
        delivery.update()
        .where(delivery.c.id == delivery_id)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=utcnow(), claimed_until=None)
    )


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    endpoint: str
    event_type: str
    summary: str
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str


def recent_deliveries(session: Session, *, actor: Actor, limit: int = 100) -> list[DeliveryRow]:
    """The latest deliveries, newest first, with what their last attempt got (staff)."""
    actor.require_staff("see how notices were delivered")
    delivery, endpoint, outbox = _tables()
    rows = session.execute(
        sa.select(
            delivery.c.id,
            endpoint.c.name,
            outbox.c.type,
            outbox.c.payload,
            delivery.c.status,
            delivery.c.attempts,
            delivery.c.last_status,
            delivery.c.last_error,
        )
        .join(endpoint, endpoint.c.id == delivery.c.endpoint_id)
        .join(outbox, outbox.c.id == delivery.c.event_row)
        .order_by(delivery.c.id.desc())
        .limit(limit)
    ).all()
    return [DeliveryRow(r[0], r[1], r[2], str(json.loads(r[3]).get("summary", "")), *r[4:]) for r in rows]


@dataclass(frozen=True, slots=True)
class Alerts:
    """What the header shows a staff user: follow-ups overdue, notices waiting or gone wrong."""

    overdue: int
    to_send: int
    failed: int

    def text(self) -> str:
        parts = []
        if self.overdue:
            parts.append(f"{self.overdue:,} overdue")
        if self.to_send:
            parts.append(f"{self.to_send:,} to send")
        if self.failed:
            parts.append(f"{self.failed:,} not delivered")
        return " · ".join(parts)


def alerts(session: Session, *, actor: Actor, today: date) -> Alerts:
    """Counts for the header, each capped (a count is a look, not a scan of a million rows)."""
    from ir_pipeline.enums import FollowUpStatus
    from ir_pipeline.models import FollowUp

    if actor.startup_scope is not None:
        return Alerts(0, 0, 0)  # the chase list and the notices are the team's
    follow_up = table_of(FollowUp)
    delivery, _endpoint, _outbox = _tables()

    def capped(table: sa.Table, *where: Any) -> int:
        return capped_count(session, sa.select(table.c.id).where(*where), table.c.id)[0]

    overdue = capped(follow_up, follow_up.c.status == FollowUpStatus.OPEN, follow_up.c.due_on < today)
    if not actor.can_edit:
        return Alerts(overdue, 0, 0)
    pending = capped(delivery, delivery.c.status == DeliveryStatus.PENDING)
    failed = capped(delivery, delivery.c.status.in_([DeliveryStatus.FAILED, DeliveryStatus.DEAD]))
    return Alerts(overdue, pending, failed)


@dataclass(frozen=True, slots=True)
class AttemptRow:
    at: datetime
    status_code: int | None
    error: str
    answer: str
    duration_ms: int


def attempts_of(session: Session, *, actor: Actor, delivery_id: int) -> list[AttemptRow]:
    """Every try at one delivery, oldest first (staff)."""
    actor.require_staff("see how notices were delivered")
    attempt = table_of(NotifyAttempt)
    rows = session.execute(
        sa.select(
            attempt.c.at, attempt.c.status_code, attempt.c.error, attempt.c.response, attempt.c.duration_ms
        )
        .where(attempt.c.delivery_id == delivery_id)
        .order_by(attempt.c.id)
    ).all()
    return [AttemptRow(*r) for r in rows]
