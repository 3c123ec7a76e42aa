"""The audit trail: one append-only row per change, written in the transaction of the change.

Nobody updates or deletes these rows: a trigger refuses it on SQLite and on PostgreSQL, and on
PostgreSQL the grants give people ``INSERT`` and ``SELECT`` only.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.clock import utcnow
from ir_pipeline.models.base import SHORT_LENGTH, Deferred
from ir_pipeline.models.types import UTCDateTime, enum_type


class AuditAction(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    ERASE = "erase"  # rows removed in bulk (``irp demo --force``); ``new_value`` says how many
    RESTORE = "restore"  # the database was put back from a backup


class AuditEntry(Deferred, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_table_name_record_id", "table_name", "record_id", "id"),
        sa.Index("ix_audit_log_actor_at", "actor", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor: str = Field(max_length=SHORT_LENGTH)
    action: AuditAction = Field(sa_column=sa.Column(enum_type(AuditAction, "audit_action"), nullable=False))
    table_name: str = Field(max_length=40)
    record_id: int | None = None
    #: The deal a pipeline row belongs to, so a deal's whole trail is one indexed look-up.
    deal_id: int | None = Field(default=None, index=True)
    field: str | None = Field(default=None, max_length=40)
    old_value: str | None = Field(default=None, sa_type=sa.Text)
    new_value: str | None = Field(default=None, sa_type=sa.Text)
    #: The record's version after this change (what an edit conflict is measured against).
    version: int | None = None
    #: One id per import file (or other bulk action), shared by every row it wrote.
    batch_id: str | None = Field(default=None, max_length=32, index=True)
