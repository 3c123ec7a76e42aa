"""Forms for events, startups, investors and contacts (create and edit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult

from ir_pipeline.drafts import EventDraft, InvestorDraft, StartupDraft
from ir_pipeline.enums import InvestorKind, label
from ir_pipeline.views import ContactView, EventView, InvestorView, StartupView
from tui.forms.base import FormScreen
from tui.widgets.fields import ChoiceField, DateField, TextField


class EventForm(FormScreen[EventDraft, EventView]):
    TITLE = "Event"

    def __init__(self, save: Callable[[EventDraft], EventView], *, initial: EventView | None = None) -> None:
        super().__init__(save, title="Edit event" if initial else "New event")
        self.initial = initial

    def fields(self) -> ComposeResult:
        i = self.initial
        yield TextField("Name", value=i.name if i else "", id="name")
        yield DateField("Starts", value=i.starts_on.isoformat() if i else "", id="starts")
        yield DateField("Ends", value=i.ends_on.isoformat() if i else "", required=False, id="ends")
        yield TextField("Venue", value=i.venue if i else "", required=False, id="venue")
        yield TextField("Organiser", value=i.organiser if i else "", required=False, id="organiser")

    def build(self) -> EventDraft:
        starts = self.query_one("#starts", DateField).read()
        assert starts is not None
        return EventDraft(
            name=self.query_one("#name", TextField).read(),
            starts_on=starts,
            ends_on=self.query_one("#ends", DateField).read(),
            venue=self.query_one("#venue", TextField).text,
            organiser=self.query_one("#organiser", TextField).text,
        )


class StartupForm(FormScreen[StartupDraft, StartupView]):
    TITLE = "Startup"

    def __init__(
        self, save: Callable[[StartupDraft], StartupView], *, initial: StartupView | None = None
    ) -> None:
        super().__init__(save, title="Edit startup" if initial else "New startup")
        self.initial = initial

    def fields(self) -> ComposeResult:
        i = self.initial
        yield TextField("Name", value=i.name if i else "", id="name")
        yield TextField("Sector", value=i.sector if i else "", required=False, id="sector")
        yield TextField(
            "Business no. (사업자등록번호)",
            value=(i.business_no or "") if i else "",
            required=False,
            id="bno",
        )
        yield TextField("Description", value=i.description if i else "", required=False, id="description")

    def build(self) -> StartupDraft:
        return StartupDraft(
            name=self.query_one("#name", TextField).read(),
            sector=self.query_one("#sector", TextField).text,
            business_no=self.query_one("#bno", TextField).text or None,
            description=self.query_one("#description", TextField).text,
            is_demo=self.initial.is_demo if self.initial else False,
        )


KINDS = [(label(k), k) for k in InvestorKind]


class InvestorForm(FormScreen[InvestorDraft, InvestorView]):
    TITLE = "Investor"

    def __init__(
        self, save: Callable[[InvestorDraft], InvestorView], *, initial: InvestorView | None = None
    ) -> None:
        super().__init__(save, title="Edit investor" if initial else "New investor")
        self.initial = initial

    def fields(self) -> ComposeResult:
        i = self.initial
        yield TextField("Name", value=i.name if i else "", id="name")
        yield ChoiceField("Kind", KINDS, value=i.kind if i else InvestorKind.VC, id="kind")
        yield TextField("Country (ISO)", value=i.country if i else "KR", id="country")

    def build(self) -> InvestorDraft:
        return InvestorDraft(
            name=self.query_one("#name", TextField).read(),
            kind=self.query_one("#kind", ChoiceField).value,
            country=self.query_one("#country", TextField).read(),
            is_demo=self.initial.is_demo if self.initial else False,
        )


@dataclass(frozen=True, slots=True)
class ContactInput:
    """A contact as typed: the organisation by name, resolved when saving."""

    name: str
    organisation_kind: str
    organisation: str
    email: str
    phone: str
    role: str


class ContactForm(FormScreen[ContactInput, ContactView]):
    TITLE = "Contact"

    def __init__(
        self, save: Callable[[ContactInput], ContactView], *, initial: ContactView | None = None
    ) -> None:
        super().__init__(save, title="Edit contact" if initial else "New contact")
        self.initial = initial

    def fields(self) -> ComposeResult:
        i = self.initial
        kind = "startup" if i and i.startup_id else "investor"
        yield TextField("Name", value=i.name if i else "", id="name")
        yield ChoiceField(
            "Works at", [("An investor", "investor"), ("A startup", "startup")], value=kind, id="kind"
        )
        yield TextField("Organisation", value=i.organisation if i else "", id="organisation")
        yield TextField("Role", value=i.role if i else "", required=False, id="role")
        yield TextField("E-mail", value=(i.email or "") if i else "", required=False, id="email")
        yield TextField("Phone", value=(i.phone or "") if i else "", required=False, id="phone")

    def build(self) -> ContactInput:
        return ContactInput(
            name=self.query_one("#name", TextField).read(),
            organisation_kind=self.query_one("#kind", ChoiceField).value,
            organisation=self.query_one("#organisation", TextField).read(),
            email=self.query_one("#email", TextField).text,
            phone=self.query_one("#phone", TextField).text,
            role=self.query_one("#role", TextField).text,
        )
