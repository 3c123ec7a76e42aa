"""What a form or a command hands to a service: typed, immutable, not yet validated.

The TUI's modal forms return these (``ModalScreen[LoiDraft]``), the CLI builds them from
arguments, and the services validate them; one shape for every way in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ir_pipeline.enums import Channel, Instrument, InvestorKind
from ir_pipeline.money import Money


@dataclass(frozen=True, slots=True)
class EventDraft:
    name: str
    starts_on: date
    ends_on: date | None = None
    venue: str = ""
    organiser: str = ""


@dataclass(frozen=True, slots=True)
class StartupDraft:
    name: str
    sector: str = ""
    business_no: str | None = None
    description: str = ""
    is_demo: bool = False


@dataclass(frozen=True, slots=True)
class InvestorDraft:
    name: str
    kind: InvestorKind = InvestorKind.VC
    country: str = "KR"
    is_demo: bool = False


@dataclass(frozen=True, slots=True)
class ContactDraft:
    name: str
    investor_id: int | None = None
    startup_id: int | None = None
    email: str | None = None
    phone: str | None = None
    role: str = ""


@dataclass(frozen=True, slots=True)
class LoiDraft:
    amount: Money
    received_on: date
    instrument: Instrument = Instrument.COMMON
    amount_max: Money | None = None
    valid_until: date | None = None
    conditions: str = ""


@dataclass(frozen=True, slots=True)
class FollowUpDraft:
    due_on: date
    owner: str = ""
    channel: Channel = Channel.EMAIL
    note: str = ""
    #: Whether the startup may read the note (staff's notes are internal unless shared).
    shared: bool = False


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """A line added to a follow-up's note, and whether the startup may read the whole note."""

    text: str
    shared: bool = False


@dataclass(frozen=True, slots=True)
class FundingDraft:
    amount: Money
    closed_on: date
    instrument: Instrument = Instrument.COMMON
