"""Records: list, create and edit events, startups, investors and contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, TabbedContent, TabPane

from ir_pipeline.drafts import EventDraft, InvestorDraft, StartupDraft
from ir_pipeline.enums import label
from ir_pipeline.queries.records import list_contacts, list_events, list_investors, list_startups
from ir_pipeline.services import records
from ir_pipeline.views import ContactView, EventView, InvestorView, StartupView
from tui.forms.records import ContactForm, ContactInput, EventForm, InvestorForm, StartupForm
from tui.widgets.fitted_table import FittedTable
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

LIMIT = 500


@dataclass(frozen=True, slots=True)
class RecordsData:
    events: list[EventView]
    startups: list[StartupView]
    investors: list[InvestorView]
    contacts: list[ContactView]


class RecordsScreen(BackendScreen):
    TITLE = "Records"
    HELP = """\
    Events, startups, investors and contacts. ] and [ go to the next and previous tab (or click one);
    n adds a record, e edits the one under the cursor, / filters startups and investors by name.
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit"),
        Binding("slash", "focus_search", "Search"),
        Binding("right_square_bracket", "tab(1)", "Next tab"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = RecordsData([], [], [], [])
        self.search = ""
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter startups and investors by name…  (/)", id="records-search")
        with TabbedContent(id="tabs"):
            with TabPane("Events", id="events"):
                yield FittedTable(id="events-table", flexible={"name": 2, "venue": 1, "organiser": 1})
            with TabPane("Startups", id="startups"):
                yield FittedTable(id="startups-table", flexible={"name": 2, "sector": 1})
            with TabPane("Investors", id="investors"):
                yield FittedTable(id="investors-table", flexible={"name": 1})
            with TabPane("Contacts", id="contacts"):
                yield FittedTable(id="contacts-table", flexible={"name": 1, "organisation": 1, "email": 1})
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#events-table", FittedTable).add_fitted_columns(
            ("#", "id"), ("Name", "name"), ("Dates", "dates"), ("Venue", "venue"), ("Organiser", "organiser")
        )
        self.query_one("#startups-table", FittedTable).add_fitted_columns(
            ("#", "id"), ("Name", "name"), ("Sector", "sector"), ("Business no.", "bno")
        )
        self.query_one("#investors-table", FittedTable).add_fitted_columns(
            ("#", "id"), ("Name", "name"), ("Kind", "kind"), ("Country", "country")
        )
        self.query_one("#contacts-table", FittedTable).add_fitted_columns(
            ("#", "id"),
            ("Name", "name"),
            ("Organisation", "organisation"),
            ("Role", "role"),
            ("E-mail", "email"),
            ("Phone", "phone"),
        )
        self.query_one("#events-table", DataTable).focus()

    def fetch(self) -> RecordsData:
        b = self.irp.backend
        a = b.actor
        return RecordsData(
            events=b.read(list_events, actor=a, limit=LIMIT),
            startups=b.read(list_startups, actor=a, search=self.search, limit=LIMIT),
            investors=b.read(list_investors, actor=a, search=self.search, limit=LIMIT),
            contacts=b.read(list_contacts, actor=a, limit=LIMIT),
        )

    def show(self, data: object) -> None:
        assert isinstance(data, RecordsData)
        self.data = data
        fill: list[tuple[str, list[tuple[str, ...]]]] = [
            (
                "#events-table",
                [
                    (str(e.id), e.name, f"{e.starts_on} – {e.ends_on}", e.venue, e.organiser)
                    for e in data.events
                ],
            ),
            ("#startups-table", [(str(s.id), s.name, s.sector, s.business_no or "") for s in data.startups]),
            ("#investors-table", [(str(i.id), i.name, label(i.kind), i.country) for i in data.investors]),
            (
                "#contacts-table",
                [
                    (str(c.id), c.name, c.organisation, c.role, c.email or "", c.phone or "")
                    for c in data.contacts
                ],
            ),
        ]
        for table_id, rows in fill:
            table = self.query_one(table_id, FittedTable)
            keep = table.cursor_row
            table.clear()
            for row in rows:
                table.add_row(*row, key=row[0])
            if rows:
                table.move_cursor(row=min(keep, len(rows) - 1))
            table.fit()

    def action_tab(self, step: int) -> None:
        """Next or previous tab, round the ends."""
        tabs = self.query_one("#tabs", TabbedContent)
        order = ["events", "startups", "investors", "contacts"]
        tabs.active = order[(order.index(self.tab) + step) % len(order)]

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.query_one(f"#{self.tab}-table", DataTable).focus()

    @on(Input.Submitted, "#records-search")
    def search_submitted(self) -> None:
        self.query_one(f"#{self.tab}-table", DataTable).focus()

    @on(Input.Changed, "#records-search")
    def search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()

        def apply() -> None:
            self.search = event.value
            self.reload()

        self._debounce = self.set_timer(0.25, apply)

    def action_focus_search(self) -> None:
        self.query_one("#records-search", Input).focus()

    # -- create and edit -------------------------------------------------------------------

    @property
    def tab(self) -> str:
        return str(self.query_one("#tabs", TabbedContent).active)

    def _selected_id(self) -> int | None:
        table = self.query_one(f"#{self.tab}-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "edit"):
            return self.irp.actor.can_edit
        return True

    def action_new(self) -> None:
        self._open(None)

    def action_edit(self) -> None:
        ident = self._selected_id()
        if ident is None:
            self.notify("Nothing selected to edit", severity="warning")
            return
        self._open(ident)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        if self.irp.actor.can_edit:
            self.action_edit()

    def _open(self, ident: int | None) -> None:
        b = self.irp.backend
        a = b.actor
        form: Screen[object]
        if self.tab == "events":
            event = next((e for e in self.data.events if e.id == ident), None)

            def save_event(d: EventDraft) -> EventView:
                if event is None:
                    return b.write(records.create_event, actor=a, draft=d)
                return b.write(records.update_event, actor=a, event_id=event.id, draft=d)

            form = EventForm(save_event, initial=event)  # type: ignore[assignment]
        elif self.tab == "startups":
            startup = next((s for s in self.data.startups if s.id == ident), None)

            def save_startup(d: StartupDraft) -> StartupView:
                if startup is None:
                    return b.write(records.create_startup, actor=a, draft=d)
                return b.write(records.update_startup, actor=a, startup_id=startup.id, draft=d)

            form = StartupForm(save_startup, initial=startup)  # type: ignore[assignment]
        elif self.tab == "investors":
            investor = next((i for i in self.data.investors if i.id == ident), None)

            def save_investor(d: InvestorDraft) -> InvestorView:
                if investor is None:
                    return b.write(records.create_investor, actor=a, draft=d)
                return b.write(records.update_investor, actor=a, investor_id=investor.id, draft=d)

            form = InvestorForm(save_investor, initial=investor)  # type: ignore[assignment]
        else:
            contact = next((c for c in self.data.contacts if c.id == ident), None)

            def save_contact(d: ContactInput) -> ContactView:
                return b.write(
                    records.save_contact_named,
                    actor=a,
                    contact_id=contact.id if contact else None,
                    name=d.name,
                    organisation_kind=d.organisation_kind,
                    organisation=d.organisation,
                    email=d.email,
                    phone=d.phone,
                    role=d.role,
                )

            form = ContactForm(save_contact, initial=contact)  # type: ignore[assignment]
        self.app.push_screen(form, self._saved)

    def _saved(self, result: object) -> None:
        if result is not None:
            self.notify("Saved")
            self.reload()
