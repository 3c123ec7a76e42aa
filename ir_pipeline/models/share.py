"""Share links: read-only views of one startup or one event for people outside the team.

A link is a random token that only its holder knows: the database keeps its SHA-256 hash, never
the token, with who made it, for what, until when, and whether it was revoked. Every view of it
is kept too (when, from which address, which page), as investor tools log every visit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.clock import utcnow
from ir_pipeline.enums import ShareKind
from ir_pipeline.models.base import SHORT_LENGTH, Deferred
from ir_pipeline.models.types import UTCDateTime, enum_type


class ShareLink(Deferred, table=True):
    __tablename__ = "share_link"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'startup') = (startup_id IS NOT NULL) AND (kind = 'event') = (event_id IS NOT NULL)",
            name="one_target",
        ),
        sa.CheckConstraint("length(token_hash) = 64", name="sha256_hex"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The SHA-256 of the token, in hex: what a request's token is looked up by.
    token_hash: str = Field(max_length=64, unique=True)
    kind: ShareKind = Field(sa_column=sa.Column(enum_type(ShareKind, "share_kind"), nullable=False))
    startup_id: int | None = Field(default=None, foreign_key="startup.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    #: Staff's word on whom it is for ("for the CEO", "programme partner").
    note: str = Field(default="", sa_type=sa.Text)
    created_by: str = Field(max_length=SHORT_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=SHORT_LENGTH)


class ShareView(Deferred, table=True):
    """One view of a link's page: kept, never edited."""

    __tablename__ = "share_view"
    __table_args__ = (sa.Index("ix_share_view_link_id_at", "link_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="share_link.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    #: The viewer's address as the server saw it (behind a proxy: the one it forwarded).
    address: str = Field(default="", max_length=64)
    page: str = Field(default="", max_length=200)
