"""Importing events, startups, investors and contacts: small files, row by row through the
services, matched on their natural keys (names, 사업자등록번호), so a re-import changes nothing.
"""

from __future__ import annotations

from sqlmodel import select

from ir_pipeline.countries import parse_country
from ir_pipeline.drafts import ContactDraft, EventDraft, InvestorDraft, StartupDraft
from ir_pipeline.enums import InvestorKind, parse_choice
from ir_pipeline.io.imports.handler import Handler
from ir_pipeline.io.imports.rows import (
    Row,
    RowError,
)
from ir_pipeline.models import Contact, Event, Investor, Startup
from ir_pipeline.naming import clean_name, name_key, normalise_business_no
from ir_pipeline.services import records as record_service

# -- events, startups, investors, contacts: small files, row by row through the services ------


class Events(Handler):
    def row(self, row: Row) -> None:
        name = clean_name(row.required("name"))
        starts = self.date(row, "starts_on")
        if starts is None:
            raise RowError(row.column("starts_on"), "is empty")
        draft = EventDraft(
            name=name,
            starts_on=starts,
            ends_on=self.date(row, "ends_on"),
            venue=row.text("venue"),
            organiser=row.text("organiser"),
        )
        existing = self.session.exec(select(Event).where(Event.name == name)).first()
        if existing is None:
            record_service.create_event(self.session, actor=self.actor, draft=draft)
            self.report.created += 1
            return
        changed = (existing.starts_on, existing.ends_on, existing.venue, existing.organiser) != (
            draft.starts_on,
            draft.ends_on or draft.starts_on,
            draft.venue or existing.venue,
            draft.organiser or existing.organiser,
        )
        if changed:
            assert existing.id is not None
            merged = EventDraft(
                name,
                draft.starts_on,
                draft.ends_on,
                draft.venue or existing.venue,
                draft.organiser or existing.organiser,
            )
            record_service.update_event(self.session, actor=self.actor, event_id=existing.id, draft=merged)
            self.report.updated += 1
        else:
            self.report.skipped += 1


class Startups(Handler):
    def row(self, row: Row) -> None:
        name = clean_name(row.required("name"))
        number = row.parse("business_no", normalise_business_no)
        existing = None
        if number:
            existing = self.session.exec(select(Startup).where(Startup.business_no == number)).first()
        if existing is None:
            existing = self.session.exec(select(Startup).where(Startup.name_key == name_key(name))).first()
        if existing is None:
            record_service.create_startup(
                self.session,
                actor=self.actor,
                draft=StartupDraft(
                    name=name,
                    sector=row.text("sector"),
                    business_no=number,
                    description=row.text("description"),
                ),
            )
            self.report.created += 1
            return
        merged = StartupDraft(
            name=existing.name,
            sector=row.text("sector") or existing.sector,
            business_no=number or existing.business_no,
            description=row.text("description") or existing.description,
            is_demo=existing.is_demo,
        )
        if (merged.sector, merged.business_no, merged.description) == (
            existing.sector,
            existing.business_no,
            existing.description,
        ):
            self.report.skipped += 1
            return
        assert existing.id is not None
        record_service.update_startup(self.session, actor=self.actor, startup_id=existing.id, draft=merged)
        self.report.updated += 1


class Investors(Handler):
    def row(self, row: Row) -> None:
        name = clean_name(row.required("name"))
        kind = row.parse("kind", lambda v: parse_choice(InvestorKind, v, what="investor kind"))
        country = row.parse("country", parse_country)
        existing = self.session.exec(select(Investor).where(Investor.name_key == name_key(name))).first()
        if existing is None:
            record_service.create_investor(
                self.session,
                actor=self.actor,
                draft=InvestorDraft(name=name, kind=kind or InvestorKind.VC, country=country or "KR"),
            )
            self.report.created += 1
            return
        merged = InvestorDraft(
            existing.name, kind or existing.kind, country or existing.country, existing.is_demo
        )
        if (merged.kind, merged.country) == (existing.kind, existing.country):
            self.report.skipped += 1
            return
        assert existing.id is not None
        record_service.update_investor(self.session, actor=self.actor, investor_id=existing.id, draft=merged)
        self.report.updated += 1


class Contacts(Handler):
    def row(self, row: Row) -> None:
        name = clean_name(row.required("name"))
        has_investor, has_startup = bool(row.text("investor")), bool(row.text("startup"))
        if has_investor == has_startup:
            raise RowError(row.column("investor"), "name exactly one organisation: an investor or a startup")
        investor_id = self.investor_id(row) if has_investor else None
        startup_id = self.startup_id(row) if has_startup else None
        existing = self.session.exec(
            select(Contact).where(
                Contact.name == name, Contact.investor_id == investor_id, Contact.startup_id == startup_id
            )
        ).first()
        draft = ContactDraft(
            name=name,
            investor_id=investor_id,
            startup_id=startup_id,
            email=row.text("email") or (existing.email if existing else None),
            phone=row.text("phone") or (existing.phone if existing else None),
            role=row.text("role") or (existing.role if existing else ""),
        )
        if existing is None:
            record_service.create_contact(self.session, actor=self.actor, draft=draft)
            self.report.created += 1
        elif (draft.email, draft.phone, draft.role) == (existing.email, existing.phone, existing.role):
            self.report.skipped += 1
        else:
            assert existing.id is not None
            record_service.update_contact(self.session, actor=self.actor, contact_id=existing.id, draft=draft)
            self.report.updated += 1
