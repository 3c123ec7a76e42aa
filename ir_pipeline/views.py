"""Plain, frozen read models handed to the CLI and the TUI.

They never hold live ORM objects, so a screen can keep one as long as it likes without a session,
and ``to_json`` gives the one JSON shape every ``--json`` listing uses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ir_pipeline.enums import Channel, FollowUpStatus, Instrument, InvestorKind, LoiStatus, Role
from ir_pipeline.fx.converted import Converted
from ir_pipeline.money import Money, Totals
from ir_pipeline.stages import Stage


def jsonable(value: Any) -> Any:
    """Convert views, money, dates and enums to JSON-ready values (amounts as decimal strings)."""
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Totals):
        return value.as_json()
    if isinstance(value, Converted):
        return value.as_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    name: str
    starts_on: date
    ends_on: date
    venue: str
    organiser: str
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0


@dataclass(frozen=True, slots=True)
class StartupView:
    id: int
    name: str
    sector: str
    business_no: str | None
    description: str
    is_demo: bool
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0


@dataclass(frozen=True, slots=True)
class InvestorView:
    id: int
    name: str
    kind: InvestorKind
    country: str
    is_demo: bool
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0


@dataclass(frozen=True, slots=True)
class ContactView:
    id: int
    name: str
    email: str | None
    phone: str | None
    role: str
    investor_id: int | None
    startup_id: int | None
    organisation: str
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0


@dataclass(frozen=True, slots=True)
class PitchView:
    id: int
    event_id: int
    startup_id: int
    pitched_on: date | None
    notes: str
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0


@dataclass(frozen=True, slots=True)
class LoiView:
    id: int
    deal_id: int
    startup: str
    investor: str
    amount: Money
    amount_max: Money | None
    instrument: Instrument
    received_on: date
    valid_until: date | None
    conditions: str
    status: LoiStatus
    event: str | None = None
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0
    #: The rate snapshot: the amount in the base currency, at what rate, of which day, from where
    #: (all ``None`` until a rate for its day is stored).
    converted: Money | None = None
    fx_rate: Decimal | None = None
    fx_day: date | None = None
    fx_source: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUpView:
    id: int
    deal_id: int
    startup: str
    investor: str
    due_on: date
    owner: str
    channel: Channel
    note: str
    status: FollowUpStatus
    completed_at: datetime | None
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0
    #: Whether staff shared the note with the startup (otherwise it is internal).
    note_shared: bool = False


@dataclass(frozen=True, slots=True)
class FundingView:
    id: int
    deal_id: int
    amount: Money
    instrument: Instrument
    closed_on: date
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0


@dataclass(frozen=True, slots=True)
class StageChangeView:
    id: int
    from_stage: Stage | None
    to_stage: Stage
    changed_at: datetime
    changed_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class DealRow:
    """One line of the pipeline table."""

    id: int
    startup_id: int
    startup: str
    investor_id: int
    investor: str
    event: str | None
    stage: Stage
    stage_changed_at: datetime
    last_loi: Money | None
    next_follow_up: date | None
    owner: str
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0

    def days_in_stage(self, now: datetime) -> int:
        return max(0, (now - self.stage_changed_at).days)


@dataclass(frozen=True, slots=True)
class DealDetail:
    deal: DealRow
    notes: str
    #: Whether staff shared the deal's notes with the startup (otherwise they are internal).
    notes_shared: bool = False
    lois: list[LoiView] = field(default_factory=list)
    follow_ups: list[FollowUpView] = field(default_factory=list)
    fundings: list[FundingView] = field(default_factory=list)
    history: list[StageChangeView] = field(default_factory=list)
    allowed_moves: list[Stage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    name: str
    role: Role
    startup_id: int | None
    startup: str | None
    active: bool = True
    #: The row version this view was read at: an edit names it to detect a stale read.
    version: int = 0
