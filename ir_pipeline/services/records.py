"""Events, startups, investors, contacts and pitches."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.countries import parse_country
from ir_pipeline.dates import check_day
from ir_pipeline.drafts import ContactDraft, EventDraft, InvestorDraft, StartupDraft
from ir_pipeline.errors import Conflict, Invalid
from ir_pipeline.lookup import resolve_investor, resolve_startup
from ir_pipeline.models import Contact, Event, Investor, Pitch, Startup
from ir_pipeline.models.base import NAME_LENGTH, SHORT_LENGTH
from ir_pipeline.naming import clean_name, name_key, normalise_business_no
from ir_pipeline.present import contact_view, event_view, investor_view, pitch_view, startup_view
from ir_pipeline.services.common import (
    free_text,
    get_or_raise,
    lock,
    optional_text,
    required_text,
    start_write,
)
from ir_pipeline.views import ContactView, EventView, InvestorView, PitchView, StartupView

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _name_and_key(text: str, *, what: str) -> tuple[str, str]:
    """A company's display name and matching key, both within their columns."""
    name = required_text(clean_name(text), field="name", what=what, max_length=NAME_LENGTH)
    key = name_key(name)
    if len(key) > NAME_LENGTH:  # width and case folding can lengthen a name (ß → ss)
        raise Invalid(f"{what} is too long to be matched: shorten it", field="name")
    return name, key


# -- events ----------------------------------------------------------------------------------


def _apply_event(session: Session, event: Event, draft: EventDraft) -> None:
    name = required_text(draft.name, field="name", what="the event name", max_length=NAME_LENGTH)
    check_day(draft.starts_on, field="starts_on")
    ends_on = check_day(draft.ends_on or draft.starts_on, field="ends_on")
    if ends_on < draft.starts_on:
        raise Invalid(f"the event ends ({ends_on}) before it starts ({draft.starts_on})", field="ends_on")
    clash = session.exec(select(Event).where(Event.name == name, Event.id != event.id)).first()
    if clash is not None:
        raise Conflict(f"an event named {name!r} already exists (#{clash.id})", field="name")
    event.name = name
    event.starts_on = draft.starts_on
    event.ends_on = ends_on
    event.venue = optional_text(draft.venue, field="venue", what="the venue", max_length=NAME_LENGTH)
    event.organiser = optional_text(
        draft.organiser, field="organiser", what="the organiser", max_length=NAME_LENGTH
    )


def create_event(session: Session, *, actor: Actor, draft: EventDraft) -> EventView:
    start_write(session, actor, "create events")
    event = Event(name="", starts_on=draft.starts_on, ends_on=draft.starts_on)
    _apply_event(session, event, draft)
    session.add(event)
    session.flush()
    return event_view(event)


def update_event(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    draft: EventDraft,
    expected_version: int | None = None,
) -> EventView:
    start_write(session, actor, "edit events")
    event = lock(session, Event, event_id, "event", expected_version=expected_version)
    _apply_event(session, event, draft)
    event.updated_at = utcnow()
    session.flush()
    return event_view(event)


# -- startups --------------------------------------------------------------------------------


def _apply_startup(session: Session, startup: Startup, draft: StartupDraft) -> None:
    name, key = _name_and_key(draft.name, what="the startup name")
    clash = session.exec(select(Startup).where(Startup.name_key == key, Startup.id != startup.id)).first()
    if clash is not None:
        raise Conflict(f"startup {name!r} already exists as {clash.name!r} (#{clash.id})", field="name")
    business_no = (
        normalise_business_no(draft.business_no) if draft.business_no and draft.business_no.strip() else None
    )
    if business_no is not None:
        owner = session.exec(
            select(Startup).where(Startup.business_no == business_no, Startup.id != startup.id)
        ).first()
        if owner is not None:
            raise Conflict(
                f"business registration number {business_no} already belongs to {owner.name!r}",
                field="business_no",
            )
    startup.name = name
    startup.name_key = key
    startup.sector = optional_text(draft.sector, field="sector", what="the sector", max_length=SHORT_LENGTH)
    startup.business_no = business_no
    startup.description = free_text(draft.description, field="description", what="the description")
    startup.is_demo = draft.is_demo


def create_startup(session: Session, *, actor: Actor, draft: StartupDraft) -> StartupView:
    start_write(session, actor, "create startups")
    startup = Startup(name="", name_key="")
    _apply_startup(session, startup, draft)
    session.add(startup)
    session.flush()
    return startup_view(startup)


def update_startup(
    session: Session,
    *,
    actor: Actor,
    startup_id: int,
    draft: StartupDraft,
    expected_version: int | None = None,
) -> StartupView:
    start_write(session, actor, "edit startups")
    startup = lock(session, Startup, startup_id, "startup", expected_version=expected_version)
    _apply_startup(session, startup, draft)
    startup.updated_at = utcnow()
    session.flush()
    return startup_view(startup)


# -- investors -------------------------------------------------------------------------------


def _apply_investor(session: Session, investor: Investor, draft: InvestorDraft) -> None:
    name, key = _name_and_key(draft.name, what="the investor name")
    clash = session.exec(select(Investor).where(Investor.name_key == key, Investor.id != investor.id)).first()
    if clash is not None:
        raise Conflict(f"investor {name!r} already exists as {clash.name!r} (#{clash.id})", field="name")
    country = parse_country(draft.country)
    investor.name = name
    investor.name_key = key
    investor.kind = draft.kind
    investor.country = country
    investor.is_demo = draft.is_demo


def create_investor(session: Session, *, actor: Actor, draft: InvestorDraft) -> InvestorView:
    start_write(session, actor, "create investors")
    investor = Investor(name="", name_key="", kind=draft.kind)
    _apply_investor(session, investor, draft)
    session.add(investor)
    session.flush()
    return investor_view(investor)


def update_investor(
    session: Session,
    *,
    actor: Actor,
    investor_id: int,
    draft: InvestorDraft,
    expected_version: int | None = None,
) -> InvestorView:
    start_write(session, actor, "edit investors")
    investor = lock(session, Investor, investor_id, "investor", expected_version=expected_version)
    _apply_investor(session, investor, draft)
    investor.updated_at = utcnow()
    session.flush()
    return investor_view(investor)


# -- contacts --------------------------------------------------------------------------------


def _apply_contact(session: Session, contact: Contact, draft: ContactDraft) -> str:
    if (draft.investor_id is None) == (draft.startup_id is None):
        raise Invalid("a contact belongs to exactly one investor or one startup", field="organisation")
    if draft.investor_id is not None:
        organisation = get_or_raise(session, Investor, draft.investor_id, "investor").name
    else:
        assert draft.startup_id is not None
        organisation = get_or_raise(session, Startup, draft.startup_id, "startup").name
    email = (
        optional_text(draft.email, field="email", what="the e-mail address", max_length=NAME_LENGTH) or None
    )
    if email is not None and not _EMAIL.match(email):
        raise Invalid(f"{email!r} is not an e-mail address", field="email")
    phone = optional_text(draft.phone, field="phone", what="the phone number", max_length=40) or None
    if phone is not None and not re.fullmatch(r"[+\d][\d\s().-]{5,38}", phone):
        raise Invalid(f"{phone!r} is not a phone number", field="phone")
    contact.name = required_text(
        clean_name(draft.name), field="name", what="the contact's name", max_length=NAME_LENGTH
    )
    contact.email = email
    contact.phone = phone
    contact.role = optional_text(draft.role, field="role", what="the role", max_length=SHORT_LENGTH)
    contact.investor_id = draft.investor_id
    contact.startup_id = draft.startup_id
    return organisation


def create_contact(session: Session, *, actor: Actor, draft: ContactDraft) -> ContactView:
    start_write(session, actor, "create contacts")
    contact = Contact(name="")
    organisation = _apply_contact(session, contact, draft)
    session.add(contact)
    session.flush()
    return contact_view(contact, organisation)


def update_contact(
    session: Session,
    *,
    actor: Actor,
    contact_id: int,
    draft: ContactDraft,
    expected_version: int | None = None,
) -> ContactView:
    start_write(session, actor, "edit contacts")
    contact = lock(session, Contact, contact_id, "contact", expected_version=expected_version)
    organisation = _apply_contact(session, contact, draft)
    contact.updated_at = utcnow()
    session.flush()
    return contact_view(contact, organisation)


def save_contact_named(
    session: Session,
    *,
    actor: Actor,
    contact_id: int | None,
    name: str,
    organisation_kind: str,
    organisation: str,
    email: str = "",
    phone: str = "",
    role: str = "",
) -> ContactView:
    """Create or edit a contact whose organisation is typed by name (``investor`` or ``startup``)."""
    if organisation_kind == "investor":
        investor_id, startup_id = resolve_investor(session, organisation, actor=actor).id, None
    elif organisation_kind == "startup":
        investor_id, startup_id = None, resolve_startup(session, organisation, actor=actor).id
    else:
        raise Invalid(f"a contact works at an investor or a startup, not {organisation_kind!r}")
    draft = ContactDraft(
        name=name,
        investor_id=investor_id,
        startup_id=startup_id,
        email=email or None,
        phone=phone or None,
        role=role,
    )
    if contact_id is None:
        return create_contact(session, actor=actor, draft=draft)
    return update_contact(session, actor=actor, contact_id=contact_id, draft=draft)


# -- pitches ---------------------------------------------------------------------------------


def record_pitch(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    startup_id: int,
    notes: str = "",
) -> PitchView:
    """A startup pitched at an event (once per event)."""
    start_write(session, actor, "record pitches")
    event = get_or_raise(session, Event, event_id, "event")
    startup = get_or_raise(session, Startup, startup_id, "startup")
    clash = session.exec(
        select(Pitch).where(Pitch.event_id == event_id, Pitch.startup_id == startup_id)
    ).first()
    if clash is not None:
        raise Conflict(f"{startup.name} already pitched at {event.name}")
    pitch = Pitch(
        event_id=event_id,
        startup_id=startup_id,
        pitched_on=event.starts_on,
        notes=free_text(notes, field="notes", what="the notes"),
    )
    session.add(pitch)
    session.flush()
    return pitch_view(pitch)
