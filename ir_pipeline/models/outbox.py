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
from ir_pipeline.models.base import SHORT_LENGTH, Deferred
from ir_pipeline.models.types import UTCDateTime


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
