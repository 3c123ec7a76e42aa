"""The pipeline itself: pitches, deals, letters of intent, follow-ups, fundings, stage history.

Money is stored as integer minor units beside an ISO currency; ``CHECK`` constraints keep the
rules a database can enforce even when someone writes to it without our services.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.clock import utcnow
from ir_pipeline.enums import Channel, FollowUpStatus, Instrument, LoiStatus
from ir_pipeline.models.base import SHORT_LENGTH, Deferred, Timestamped, Versioned
from ir_pipeline.models.fx import FxSnapshot
from ir_pipeline.models.types import UTCDateTime, enum_type
from ir_pipeline.stages import Stage


def shared_text(text: str, shared: str) -> sa.Column[str]:
    """The part of a note a startup may read: the note when staff shared it, else empty.

    Computed by the database from the note and its flag, so no write path can let the two
    disagree; on PostgreSQL a startup login is granted this column and not the note itself
    (``rights.STARTUP_HIDDEN``), so an internal note stays internal even to raw SQL.
    """
    return sa.Column(sa.Text, sa.Computed(f"CASE WHEN {shared} THEN {text} ELSE '' END", persisted=True))


class Pitch(Versioned, Timestamped, table=True):
    """A startup pitching at an event."""

    __tablename__ = "pitch"
    __table_args__ = (sa.UniqueConstraint("event_id", "startup_id", name="uq_pitch_event_startup"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    startup_id: int = Field(foreign_key="startup.id", index=True)
    pitched_on: date | None = None
    notes: str = Field(default="", sa_type=sa.Text)


class Deal(Versioned, Timestamped, table=True):
    """One startup × one investor interest thread, optionally born at an event."""

    __tablename__ = "deal"
    __table_args__ = (
        sa.UniqueConstraint("startup_id", "investor_id", name="uq_deal_startup_investor"),
        sa.Index("ix_deal_stage_id", "stage", "id"),
        # one index per sort of the pipeline, walked from either end (keyset pages)
        sa.Index("ix_deal_last_loi_minor_id", "last_loi_minor", "id"),
        sa.Index("ix_deal_next_follow_up_on_id", "next_follow_up_on", "id"),
        sa.Index("ix_deal_stage_changed_at_id", "stage_changed_at", "id"),
        # the same sorts within one stage (the stage filter), read in order instead of sorted
        sa.Index("ix_deal_stage_last_loi_minor_id", "stage", "last_loi_minor", "id"),
        sa.Index("ix_deal_stage_next_follow_up_on_id", "stage", "next_follow_up_on", "id"),
        sa.Index("ix_deal_stage_stage_changed_at_id", "stage", "stage_changed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    startup_id: int = Field(foreign_key="startup.id", index=True)
    investor_id: int = Field(foreign_key="investor.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    stage: Stage = Field(sa_column=sa.Column(enum_type(Stage, "stage"), nullable=False))
    #: When the deal entered its stage on the history as corrected: an undone move leaves the
    #: date it had before (``ir_pipeline.history``).
    stage_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    #: What the deal keeps of its history (``ir_pipeline.history``, kept by the services that
    #: move it, so the funnel counts from the deal rows): the furthest funnel stage reached, and
    #: the stage a lost deal was lost from (``None`` unless lost now). An undone move counts for
    #: neither.
    reached: Stage | None = Field(
        default=None, sa_column=sa.Column(enum_type(Stage, "reached"), nullable=True)
    )
    lost_from: Stage | None = Field(
        default=None, sa_column=sa.Column(enum_type(Stage, "lost_from"), nullable=True)
    )
    owner: str = Field(default="", max_length=SHORT_LENGTH)
    #: Staff's notes on the deal: internal unless staff share them (see :func:`shared_text`).
    notes: str = Field(default="", sa_type=sa.Text)
    notes_shared: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    shared_notes: str | None = Field(default=None, sa_column=shared_text("notes", "notes_shared"))
    # Kept by ir_pipeline.summaries.tracking from the deal's LOIs and follow-ups, so the pipeline
    # sorts and pages by them through an index instead of a subquery per row.
    last_loi_minor: int | None = Field(default=None, sa_type=sa.BigInteger)
    last_loi_currency: str | None = Field(default=None, max_length=3)
    last_loi_on: date | None = None
    next_follow_up_on: date | None = None
    # How many LOIs the deal holds, and their total in the ranking's order (queries.sums.ranking):
    # one startup's or one investor's funnel ranks the other side by its deals, not its LOIs.
    loi_count: int = Field(default=0, nullable=False, sa_column_kwargs={"server_default": sa.text("0")})
    loi_rank: float = Field(
        default=0.0, sa_type=sa.Float, nullable=False, sa_column_kwargs={"server_default": sa.text("0")}
    )


class LetterOfIntent(FxSnapshot, Versioned, Timestamped, table=True):
    """A non-binding letter of intent (투자검토 의향서) on a deal."""

    __tablename__ = "letter_of_intent"
    __table_args__ = (
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint(
            "amount_max_minor IS NULL OR amount_max_minor >= amount_minor", name="range_ordered"
        ),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= received_on", name="valid_after_received"),
        sa.CheckConstraint("length(currency) = 3", name="currency_iso"),
        sa.CheckConstraint("(fx_base IS NULL) = (converted_minor IS NULL)", name="fx_snapshot_whole"),
        # a deal's latest LOI in one index step (the deal's kept last-LOI columns)
        sa.Index("ix_letter_of_intent_deal_id_received_on_id", "deal_id", "received_on", "id"),
        # standing LOIs past their validity (shown as expired) and about to lapse, from the index
        sa.Index("ix_letter_of_intent_status_valid_until", "status", "valid_until"),
        # the rates behind a converted total, read for the few LOIs not in the base currency from
        # the index alone (deal_id too: a filtered funnel joins it to its deals)
        sa.Index(
            "ix_letter_of_intent_currency_fx",
            "currency",
            "fx_base",
            "fx_day",
            "fx_rate",
            "fx_source",
            "deal_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    amount_minor: int = Field(sa_type=sa.BigInteger)
    amount_max_minor: int | None = Field(default=None, sa_type=sa.BigInteger)
    currency: str = Field(max_length=3)
    instrument: Instrument = Field(sa_column=sa.Column(enum_type(Instrument, "instrument"), nullable=False))
    received_on: date = Field(index=True)
    valid_until: date | None = None
    conditions: str = Field(default="", sa_type=sa.Text)
    status: LoiStatus = Field(
        default=LoiStatus.RECEIVED,
        sa_column=sa.Column(enum_type(LoiStatus, "loi_status"), nullable=False),
    )


class FollowUp(Versioned, Timestamped, table=True):
    """Something to chase on a deal by a date; closed as done or cancelled, never deleted."""

    __tablename__ = "follow_up"
    __table_args__ = (
        sa.CheckConstraint("(status = 'open') = (completed_at IS NULL)", name="closed_has_time"),
        sa.Index("ix_follow_up_status_due_on", "status", "due_on"),
        # a deal's next open follow-up in one index step; without it, SQLite walks every open
        # follow-up by due date looking for the deal's first (quadratic over a whole import)
        sa.Index("ix_follow_up_deal_id_status_due_on", "deal_id", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    due_on: date
    owner: str = Field(default="", max_length=SHORT_LENGTH)
    channel: Channel = Field(
        default=Channel.EMAIL, sa_column=sa.Column(enum_type(Channel, "channel"), nullable=False)
    )
    #: Staff's note: internal unless staff share it (see :func:`shared_text`).
    note: str = Field(default="", sa_type=sa.Text)
    note_shared: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    shared_note: str | None = Field(default=None, sa_column=shared_text("note", "note_shared"))
    status: FollowUpStatus = Field(
        default=FollowUpStatus.OPEN,
        sa_column=sa.Column(enum_type(FollowUpStatus, "follow_up_status"), nullable=False),
    )
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Funding(FxSnapshot, Versioned, Timestamped, table=True):
    """Money that actually arrived: what lets a deal move to ``funded``."""

    __tablename__ = "funding"
    __table_args__ = (
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint("length(currency) = 3", name="currency_iso"),
        sa.CheckConstraint("(fx_base IS NULL) = (converted_minor IS NULL)", name="fx_snapshot_whole"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    amount_minor: int = Field(sa_type=sa.BigInteger)
    currency: str = Field(max_length=3)
    instrument: Instrument = Field(sa_column=sa.Column(enum_type(Instrument, "instrument"), nullable=False))
    closed_on: date


class StageChange(Deferred, table=True):
    """One move of a deal between stages. Append-only: rows are never updated or deleted."""

    __tablename__ = "stage_change"
    __table_args__ = (sa.Index("ix_stage_change_deal_id_changed_at", "deal_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    from_stage: Stage | None = Field(
        default=None, sa_column=sa.Column(enum_type(Stage, "from_stage"), nullable=True)
    )
    to_stage: Stage = Field(sa_column=sa.Column(enum_type(Stage, "to_stage"), nullable=False))
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    changed_by: str = Field(max_length=SHORT_LENGTH)
    reason: str = Field(default="", sa_type=sa.Text)
    #: The move this one takes back (an undo or a revert): the deal returns to the state it had
    #: before that move, its days in stage included, as if the move had not been made.
    undoes_id: int | None = Field(default=None, foreign_key="stage_change.id", index=True)
    #: On the opening of a deal imported from elsewhere (``irp import deals``): the furthest
    #: funnel stage it had reached there, and the stage a lost one was lost from. ``None`` on
    #: every other move.
    opened_reached: Stage | None = Field(
        default=None, sa_column=sa.Column(enum_type(Stage, "opened_reached"), nullable=True)
    )
    opened_lost_from: Stage | None = Field(
        default=None, sa_column=sa.Column(enum_type(Stage, "opened_lost_from"), nullable=True)
    )


@sa.event.listens_for(StageChange, "before_update")
@sa.event.listens_for(StageChange, "before_delete")
def _stage_history_is_append_only(*_: object) -> None:
    raise RuntimeError("stage history is append-only: StageChange rows are never changed or deleted")
