"""Sending notices: queue them per endpoint, then claim, send and record each delivery on its own.

A pass runs in short transactions, so no database lock is held while a receiver is slow:

1. **Queue.** New notices become ``pending`` deliveries for each active endpoint that wants them.
2. **Claim, send, record**, a few senders at once. Each sender claims one due delivery (held by
   this deliverer for the lease; PostgreSQL skips rows another deliverer has locked,
   SQLite writers take turns on the write lock), sends it with explicit connect and read timeouts
   and a cap on how much of the answer is read, and records the attempt as soon as it ends. While
   a send is in flight its claim is renewed every quarter of the lease, so a receiver slower than the
   lease never has its delivery taken over and sent twice. A deliverer killed mid-send leaves its
   claim until the lease ends; then another sends it again, under the same ``webhook-id`` (the
   receiver's de-duplication by that id is the last line, not the mechanism).
3. What follows an attempt: 2xx delivered; 410 failed and the endpoint disabled; 408, 429 (after
   its ``Retry-After``), 5xx, timeouts and connection errors tried again on the Standard Webhooks
   schedule (:mod:`~ir_pipeline.notify.retries`: about a day), then dead; any other answer
   failed, not retried.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow, wall_clock
from ir_pipeline.errors import IrpError
from ir_pipeline.models import (
    DeliveryStatus,
    NotifyAttempt,
    NotifyDelivery,
    NotifyEndpoint,
    OutboxEvent,
)
from ir_pipeline.models.base import table_of
from ir_pipeline.notify import retries
from ir_pipeline.notify.endpoints import wants
from ir_pipeline.notify.sending import (
    ANSWER_WITHIN,
    NO_ANSWER,
    TIMEOUT,
    Outcome,
    Taken,
    make_client,
    send,
)
from ir_pipeline.services.common import start_write

__all__ = [
    "ANSWER_WITHIN",
    "LEASE",
    "NO_ANSWER",
    "TIMEOUT",
    "Outcome",
    "PassReport",
    "Taken",
    "deliver",
    "deliver_pass",
    "make_client",
    "queue",
    "record",
    "send",
    "take",
]

#: How long a deliverer holds a delivery it claimed before another may take it over, by default
#: (``IRP_NOTIFY_LEASE``: :func:`lease`); renewed every quarter of it while the send is in flight.
LEASE = timedelta(minutes=2)


def lease() -> timedelta:
    from ir_pipeline.config import notify_lease_seconds

    return timedelta(seconds=notify_lease_seconds())


_QUEUE_CHUNK = 2_000
Writer = Callable[[], AbstractContextManager[Session]]


@dataclass(slots=True)
class PassReport:
    queued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    dead: int = 0
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.outcomes)

    def add(self, other: PassReport) -> None:
        """Count in what another report (one send's) counted."""
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed
        self.dead += other.dead


def pending_row(endpoint_id: int, event_row: int, now: datetime) -> dict[str, object]:
    """A new delivery of one notice to one endpoint, due at once."""
    return {
        "endpoint_id": endpoint_id,
        "event_row": event_row,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }


def queue(session: Session, *, now: datetime) -> int:
    """Make ``pending`` deliveries of the notices each active endpoint has not looked at yet."""
    connection = session.connection()
    outbox, endpoint, delivery = table_of(OutboxEvent), table_of(NotifyEndpoint), table_of(NotifyDelivery)
    queued = 0
    endpoints = connection.execute(
        sa.select(endpoint.c.id, endpoint.c.events, endpoint.c.startup_id, endpoint.c.after_event)
        .where(endpoint.c.active, endpoint.c.removed_at.is_(None))
        .with_for_update()
    ).all()
    for ident, events, startup_id, after in endpoints:
        while True:
            rows = connection.execute(
                sa.select(outbox.c.id, outbox.c.type, outbox.c.startup_id)
                .where(outbox.c.id > after)
                .order_by(outbox.c.id)
                .limit(_QUEUE_CHUNK)
            ).all()
            if not rows:
                break
            after = rows[-1].id
            wanted = [
                pending_row(ident, r.id, now) for r in rows if wants(events, startup_id, r.type, r.startup_id)
            ]
            if wanted:
                connection.execute(delivery.insert(), wanted)
                queued += len(wanted)
            connection.execute(endpoint.update().where(endpoint.c.id == ident).values(after_event=after))
    return queued


def take(
    session: Session,
    *,
    now: datetime,
    limit: int,
    only: int | None = None,
    avoid: frozenset[int] = frozenset(),
    waits: tuple[timedelta, ...] = retries.SCHEDULE,
) -> list[Taken]:
    """Hold up to ``limit`` due deliveries for this deliverer for the lease (:func:`lease`)."""
    connection = session.connection()
    outbox, endpoint, delivery = table_of(OutboxEvent), table_of(NotifyEndpoint), table_of(NotifyDelivery)
    due = (
        sa.select(delivery.c.id)
        .join(endpoint, endpoint.c.id == delivery.c.endpoint_id)
        .where(
            delivery.c.status == DeliveryStatus.PENDING,
            delivery.c.next_attempt_at <= now,
            sa.or_(delivery.c.claimed_until.is_(None), delivery.c.claimed_until < now),
            endpoint.c.active,
        )
        .order_by(delivery.c.next_attempt_at, delivery.c.id)
        .limit(limit)
    )
    if only is not None:
        due = due.where(delivery.c.id == only)
    if avoid:  # endpoints that already have their share of this deliverer's senders
        due = due.where(delivery.c.endpoint_id.not_in(sorted(avoid)))
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(of=delivery, skip_locked=True)
    ids = list(connection.execute(due).scalars())
    if not ids:
        return []
    connection.execute(delivery.update().where(delivery.c.id.in_(ids)).values(claimed_until=now + lease()))
    rows = connection.execute(
        sa.select(
            delivery.c.id,
            delivery.c.attempts,
            endpoint.c.id,
            endpoint.c.url,
            endpoint.c.format,
            endpoint.c.secret,
            outbox.c.event_id,
            outbox.c.payload,
            endpoint.c.headers,
            endpoint.c.startup_id,
        )
        .join(endpoint, endpoint.c.id == delivery.c.endpoint_id)
        .join(outbox, outbox.c.id == delivery.c.event_row)
        .where(delivery.c.id.in_(ids))
        .order_by(delivery.c.id)
    ).all()
    return [replace(Taken(*tuple(row)), waits=waits) for row in rows]


#: What an attempt that reached no answer records. The same words whatever went wrong on the way
#: (refused, reset, closed): managers read attempts, and the difference would map ports.
def record(session: Session, taken: Taken, outcome: Outcome, *, now: datetime, report: PassReport) -> None:
    """Keep the attempt, and move the delivery on (and the endpoint, on a 410)."""
    connection = session.connection()
    delivery, endpoint = table_of(NotifyDelivery), table_of(NotifyEndpoint)
    connection.execute(
        table_of(NotifyAttempt).insert(),
        [
            {
                "delivery_id": taken.delivery_id,
                "at": now,
                "status_code": outcome.status_code,
                "error": outcome.error,
                "response": outcome.answer,
                "duration_ms": outcome.duration_ms,
            }
        ],
    )
    attempts = taken.attempts + 1
    code = outcome.status_code
    values: dict[str, object] = {
        "attempts": attempts,
        "claimed_until": None,
        "last_status": code,
        "last_error": outcome.error or ("" if code is None or code < 400 else f"HTTP {code}"),
    }
    if code is not None and 200 <= code < 300:
        values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
        report.delivered += 1
    elif code == 410:
        values["status"] = DeliveryStatus.FAILED
        report.failed += 1
        connection.execute(
            endpoint.update()
            .where(endpoint.c.id == taken.endpoint_id)
            .values(active=False, disabled_reason="the receiver answered 410 Gone", updated_at=now)
        )
    elif code is None or code in (408, 429) or code >= 500:
        if attempts > len(taken.waits):
            values["status"] = DeliveryStatus.DEAD
            report.dead += 1
        else:
            wait = (
                outcome.retry_after
                if outcome.retry_after is not None
                else retries.backoff(attempts, taken.waits)
            )
            values |= {"status": DeliveryStatus.PENDING, "next_attempt_at": now + wait}
            report.retrying += 1
    else:
        values["status"] = DeliveryStatus.FAILED
        report.failed += 1
    connection.execute(delivery.update().where(delivery.c.id == taken.delivery_id).values(**values))


def deliver_pass(
    write: Writer,
    *,
    actor: Actor,
    client: httpx.Client,
    now: Callable[[], datetime] = utcnow,
    limit: int = 100,
    concurrency: int = 4,
    only: int | None = None,
) -> PassReport:
    """Queue, then up to ``limit`` sends, ``concurrency`` at a time (see the module's docstring).

    Each send is claimed on its own just before it goes, its claim renewed while it is in flight,
    and its result recorded as soon as it ends: a slow receiver holds one sender and one claim,
    never a batch whose lease runs out so that another deliverer sends it again.
    """
    report = PassReport()
    waits = retries.schedule()  # a bad IRP_NOTIFY_RETRIES is refused before anything is claimed
    with write() as session:
        start_write(session, actor, "deliver notices")
        report.queued = queue(session, now=now())
    lock = threading.Lock()
    left = [limit]
    flying: set[int] = set()
    per_endpoint: dict[int, int] = {}
    share = max(1, concurrency // 2)  # one slow receiver never holds every sender

    claiming = threading.Lock()  # one claim at a time: each sees the others' endpoints counted

    def claim() -> Taken | None:
        with claiming:
            return _claim()

    def _claim() -> Taken | None:
        with lock:
            if left[0] <= 0:
                return None
            left[0] -= 1
            full = frozenset(e for e, n in per_endpoint.items() if n >= share)
        with write() as session:
            start_write(session, actor, "deliver notices")
            got = take(session, now=now(), limit=1, only=only, avoid=full, waits=waits)
        with lock:
            if not got:
                left[0] += 1
                if not full:
                    left[0] = 0  # nothing is due at all: the other senders stop too
                return None  # else only full endpoints' are due: their own senders go on
            flying.add(got[0].delivery_id)
            per_endpoint[got[0].endpoint_id] = per_endpoint.get(got[0].endpoint_id, 0) + 1
        return got[0]

    def sender() -> None:
        while (taken := claim()) is not None:
            outcome = send(client, taken, at=wall_clock())  # the receiver checks it against its clock
            mine = PassReport()
            try:
                with write() as session:
                    start_write(session, actor, "deliver notices")
                    record(session, taken, outcome, now=now(), report=mine)
            finally:
                with lock:
                    flying.discard(taken.delivery_id)
                    per_endpoint[taken.endpoint_id] -= 1
            with lock:
                report.add(mine)
                report.outcomes.append((taken.delivery_id, outcome))

    stop = threading.Event()
    renewer = threading.Thread(target=_renew, args=(write, actor, now, flying, lock, stop), daemon=True)
    renewer.start()
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, limit))) as pool:
            for running in [pool.submit(sender) for _ in range(max(1, min(concurrency, limit)))]:
                running.result()
    finally:
        stop.set()
        renewer.join()
    return report


def _renew(
    write: Writer,
    actor: Actor,
    now: Callable[[], datetime],
    flying: set[int],
    lock: threading.Lock,
    stop: threading.Event,
) -> None:
    """While sends are in flight, keep their claims: a send slower than the lease (a receiver
    that drips its answer) is never taken over and sent again by another deliverer."""
    delivery = table_of(NotifyDelivery)
    held = lease()
    while not stop.wait(held.total_seconds() / 4):
        with lock:
            ids = sorted(flying)
        if not ids:
            continue
        try:
            with write() as session:
                start_write(session, actor, "deliver notices")
                session.connection().execute(
                    delivery.update()
                    .where(delivery.c.id.in_(ids), delivery.c.claimed_until.is_not(None))
                    .values(claimed_until=now() + held)
                )
        except IrpError:
            continue  # the next round tries again, well within the lease


def deliver(
    write: Writer,
    *,
    actor: Actor,
    client: httpx.Client,
    now: Callable[[], datetime] = utcnow,
    limit: int = 100,
    concurrency: int = 4,
) -> Iterator[PassReport]:
    """Passes until nothing is due now (``irp notify deliver --once``)."""
    while True:
        report = deliver_pass(
            write, actor=actor, client=client, now=now, limit=limit, concurrency=concurrency
        )
        yield report
        if report.sent == 0:
            return
