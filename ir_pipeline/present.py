"""ORM rows → frozen views. Kept in one place so every screen and command shows the same thing."""

from __future__ import annotations

from typing import Any

from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today
from ir_pipeline.models import (
    Contact,
    Event,
    FollowUp,
    Funding,
    LetterOfIntent,
    Pitch,
    StageChange,
)
from ir_pipeline.money import Money
from ir_pipeline.sharing import readable
from ir_pipeline.validity import standing
from ir_pipeline.views import (
    ContactView,
    EventView,
    FollowUpView,
    FundingView,
    InvestorView,
    LoiView,
    PitchView,
    StageChangeView,
    StartupView,
)


def _id(value: int | None) -> int:
    assert value is not None, "row was not flushed"
    return value


def event_view(e: Event) -> EventView:
    return EventView(_id(e.id), e.name, e.starts_on, e.ends_on, e.venue, e.organiser, version=e.version)


#: What a startup's view is made of, in order: a listing selects these columns rather than load
#: hundreds of ORM objects (a dashboard's picker lists 500) to read them.
STARTUP_VIEW_COLUMNS = ("id", "name", "sector", "business_no", "description", "is_demo", "version")
INVESTOR_VIEW_COLUMNS = ("id", "name", "kind", "country", "is_demo", "version")


def startup_view(s: Any) -> StartupView:
    """The view of a startup: a ``Startup``, or a row of :data:`STARTUP_VIEW_COLUMNS`."""
    return StartupView(
        _id(s.id), s.name, s.sector, s.business_no, s.description, s.is_demo, version=s.version
    )


def investor_view(i: Any) -> InvestorView:
    """The view of an investor: an ``Investor``, or a row of :data:`INVESTOR_VIEW_COLUMNS`."""
    return InvestorView(_id(i.id), i.name, i.kind, i.country, i.is_demo, version=i.version)


def contact_view(c: Contact, organisation: str) -> ContactView:
    return ContactView(
        _id(c.id),
        c.name,
        c.email,
        c.phone,
        c.role,
        c.investor_id,
        c.startup_id,
        organisation,
        version=c.version,
    )


def pitch_view(p: Pitch) -> PitchView:
    return PitchView(_id(p.id), p.event_id, p.startup_id, p.pitched_on, p.notes, version=p.version)


def loi_view(loi: LetterOfIntent, startup: str, investor: str, event: str | None = None) -> LoiView:
    return LoiView(
        id=_id(loi.id),
        deal_id=loi.deal_id,
        startup=startup,
        investor=investor,
        amount=Money.from_minor(loi.amount_minor, loi.currency),
        amount_max=None
        if loi.amount_max_minor is None
        else Money.from_minor(loi.amount_max_minor, loi.currency),
        instrument=loi.instrument,
        received_on=loi.received_on,
        valid_until=loi.valid_until,
        conditions=loi.conditions,
        status=standing(loi.status, loi.valid_until, local_today()),
        event=event,
        version=loi.version,
        converted=None
        if loi.converted_minor is None or loi.fx_base is None
        else Money.from_minor(loi.converted_minor, loi.fx_base),
        fx_rate=loi.fx_rate,
        fx_day=loi.fx_day,
        fx_source=loi.fx_source,
    )


def follow_up_view(f: FollowUp, startup: str, investor: str, *, reader: Actor) -> FollowUpView:
    """A follow-up as ``reader`` may see it: the note itself for staff and managers, for a startup
    the part staff shared (empty otherwise; the internal note was not even loaded for it, see
    :func:`queries.hidden.hidden_from`)."""
    return FollowUpView(
        _id(f.id),
        f.deal_id,
        startup,
        investor,
        f.due_on,
        f.owner,
        f.channel,
        readable(reader, f, "note"),
        f.status,
        f.completed_at,
        version=f.version,
        note_shared=f.note_shared,
    )


def funding_view(f: Funding) -> FundingView:
    return FundingView(
        _id(f.id),
        f.deal_id,
        Money.from_minor(f.amount_minor, f.currency),
        f.instrument,
        f.closed_on,
        version=f.version,
    )


def stage_change_view(c: StageChange, *, reader: Actor) -> StageChangeView:
    """A move; its reason is staff's own (internal by rule), so a startup sees the move alone."""
    reason = readable(reader, c, "reason")
    return StageChangeView(_id(c.id), c.from_stage, c.to_stage, c.changed_at, c.changed_by, reason)
