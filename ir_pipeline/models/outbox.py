"""The transactional outbox: one row per thing worth telling the team, written by the same
transaction as the change it reports.

A notice is only ever sent for a change that committed, and a change that committed always has its
notice: the row commits or rolls back with the change, and delivery (to chat tools, calendars,
webhooks) reads these rows afterwards, as often as it must, under the same ``event_id``. Rows are
never edited: staff may insert them, not update or delete them (PostgreSQL grants).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.clock import utcnow
from ir_pipeline.enums import DeliveryStatus, EndpointFormat
from ir_pipeline.models.base import SHORT_LENGTH, Deferred, Timestamped, Versioned
from ir_pipeline.models.types import UTCDateTime, enum_type


class OutboxEvent(Deferred, table=True):
    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    #: The stable id a receiver de-duplicates on (sent as ``webhook-id`` on every attempt).
    event_id: str = Field(max_length=40, unique=True)
    #: ``loi.received``, ``deal.moved``, ``followup.overdue``, … (see ``ir_pipeline.notify.events``).
    type: str = Field(max_length=40, index=True)
    #: The event as JSON: its type, id, time, actor, the deal with its startup and investor, the
    #: record it is about, and a one-line summary for people.
    payload: str = Field(sa_type=sa.Text)
    actor: str = Field(max_length=SHORT_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    #: The deal and startup it is about (no foreign key: notices outlive erased demo rows), so a
    #: startup's own endpoint can be given only its events.
    deal_id: int | None = Field(default=None, index=True)
    startup_id: int | None = Field(default=None, index=True)
    #: For notices that a scan makes (an overdue follow-up, an LOI about to expire): the same
    #: occasion never makes a second notice, however often or concurrently the scan runs.
    once_key: str | None = Field(default=None, max_length=120, unique=True)


class NotifyEndpoint(Versioned, Timestamped, table=True):
    """Where notices go: a URL, the format it speaks, which notices, whose."""

    __tablename__ = "notify_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=SHORT_LENGTH, unique=True)
    url: str = Field(sa_type=sa.Text)
    format: EndpointFormat = Field(
        sa_column=sa.Column(enum_type(EndpointFormat, "endpoint_format"), nullable=False)
    )
    #: Comma-separated notice types (``loi.received``) or families (``loi.*``); empty for all.
    events: str = Field(default="", max_length=400)
    #: Only this startup's notices (for a startup's own channel); none for the whole pipeline.
    startup_id: int | None = Field(default=None, foreign_key="startup.id")
    #: The Standard Webhooks signing secret (``whsec_…``), shown once when the endpoint is added;
    #: stored sealed with a key that is not in the database (``notify.sealed``).
    secret: str | None = Field(default=None, sa_type=sa.Text)
    #: Extra request headers (credentials the receiver wants), as sealed JSON; never shown.
    headers: str | None = Field(default=None, sa_type=sa.Text)
    #: Their names, for listings.
    header_names: str = Field(default="", max_length=400)
    active: bool = Field(default=True)
    disabled_reason: str = Field(default="", sa_type=sa.Text)
    #: Notices up to this outbox id have been looked at for this endpoint (those written before it
    #: existed are never sent to it); a deliverer moves it on as it queues the newer ones.
    after_event: int = Field(default=0)
    #: When it was removed (its deliveries stay, as the record of what was sent).
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotifyDelivery(Deferred, table=True):
    """One notice on its way to one endpoint; its attempts are :class:`NotifyAttempt` rows."""

    __tablename__ = "notify_delivery"
    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "event_row"),
        sa.Index("ix_notify_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="notify_endpoint.id")
    event_row: int = Field(foreign_key="outbox_event.id")
    status: DeliveryStatus = Field(
        sa_column=sa.Column(enum_type(DeliveryStatus, "delivery_status"), nullable=False)
    )
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    #: A deliverer that took this delivery holds it until then (another takes it over after).
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status: int | None = None
    last_error: str = Field(default="", sa_type=sa.Text)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class NotifyAttempt(Deferred, table=True):
    """One try at sending a delivery: what came back, or what went wrong, and how long it took."""

    __tablename__ = "notify_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="notify_delivery.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    status_code: int | None = None
    error: str = Field(default="", sa_type=sa.Text)
    #: The start of what the receiver answered, kept for a person to read.
    response: str = Field(default="", sa_type=sa.Text)
    duration_ms: int = Field(default=0)
