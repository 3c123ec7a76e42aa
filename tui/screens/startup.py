"""What a startup sees: the investor interest in its own company, read-only.

A startup user always sees its own company, whatever is asked; staff and managers pick one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Label, Select, Static

from ir_pipeline.clock import local_today
from ir_pipeline.enums import Role, label
from ir_pipeline.queries.deals import DealFilter, DealPage, list_deals
from ir_pipeline.queries.followups import FollowUpPage, follow_up_queue
from ir_pipeline.queries.funnel import FunnelFilter, LoiSummary, funnel, total_line
from ir_pipeline.queries.lois import loi_page
from ir_pipeline.queries.records import get_startup, list_startups
from ir_pipeline.sharing import marked
from ir_pipeline.text import plural, printable
from ir_pipeline.views import LoiView, StartupView
from tui.format import STAGE_STYLE, choices, day, latest_first, money, plain
from tui.widgets.fitted_table import FittedTable
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

LIMIT = 500


@dataclass(frozen=True, slots=True)
class StartupData:
    startup: StartupView | None
    choices: list[tuple[str, int]]
    summary: LoiSummary | None = None
    deals: DealPage | None = None
    lois: list[LoiView] | None = None
    next_steps: FollowUpPage | None = None


class StartupScreen(BackendScreen):
    TITLE = "Startup"
    HELP = """\
    The investor interest in one startup: its deals and stages, its letters of intent and next steps. A
    startup user sees only its own company here, read-only.
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("l", "new_loi", "New LOI")]

    def __init__(self, startup_id: int | None = None) -> None:
        super().__init__()
        self.startup_id = startup_id
        self.startup: StartupView | None = None
        self._choices_loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="startup"):
            yield Select[int]([], prompt="Choose a startup", id="choose", compact=True)
            yield Static("", id="startup-title", classes="headline")
            yield Label("Investors and stages", classes="section")
            yield FittedTable(id="startup-deals", flexible={"investor": 1})
            yield Label("Letters of intent", classes="section")
            # at 80 columns the investor keeps 16 cells: the day received, then the instrument,
            # give way; the amount, its validity and its status stay
            yield FittedTable(id="startup-lois", flexible={"investor": 1}, drop=("received", "instrument"))
            yield Label("Next steps", classes="section")
            yield FittedTable(id="startup-next", flexible={"investor": 1, "note": 2})
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#startup-deals", FittedTable).add_fitted_columns(
            ("Investor", "investor"), ("Stage", "stage"), ("Last LOI", "last_loi"), ("Next follow-up", "next")
        )
        self.query_one("#startup-lois", FittedTable).add_fitted_columns(
            ("Investor", "investor"),
            ("Amount", "amount"),
            ("Instrument", "instrument"),
            ("Received", "received"),
            ("Valid until", "valid_until"),
            ("Status", "status"),
        )
        self.query_one("#startup-next", FittedTable).add_fitted_columns(
            ("Due", "due"), ("Investor", "investor"), ("Channel", "channel"), ("Note", "note")
        )
        self.query_one("#choose", Select).display = self.irp.actor.role is not Role.STARTUP

    def fetch(self) -> StartupData:
        b = self.irp.backend
        actor = b.actor
        # A startup user's scope wins over any id asked for: the queries filter by it too.
        wanted = actor.startup_scope if actor.startup_scope is not None else self.startup_id
        # the picker's list is read once per screen, not on every change of startup
        choices = (
            []
            if actor.startup_scope is not None or self._choices_loaded
            else [(s.name, s.id) for s in b.read(list_startups, actor=actor, limit=LIMIT)]
        )
        if wanted is None:
            return StartupData(None, choices)
        startup = b.read(get_startup, actor=actor, startup_id=wanted)
        return StartupData(
            startup=startup,
            choices=choices,
            summary=b.read(
                funnel, actor=actor, flt=FunnelFilter(startup_id=startup.id), ranking_limit=1
            ).lois,
            deals=b.read(list_deals, actor=actor, flt=DealFilter(startup_id=startup.id), limit=LIMIT),
            lois=b.read(loi_page, actor=actor, startup_id=startup.id, limit=LIMIT).rows,
            next_steps=b.read(
                follow_up_queue, actor=actor, today=local_today(), startup_id=startup.id, limit=LIMIT
            ),
        )

    def show(self, data: object) -> None:
        assert isinstance(data, StartupData)
        choose = self.query_one("#choose", Select)
        with self.prevent(Select.Changed):
            if data.choices:
                choose.set_options(choices(data.choices))
                self._choices_loaded = True
            if data.startup is not None and choose.display and not choose.expanded:
                choose.value = data.startup.id
        title = self.query_one("#startup-title", Static)
        for table_id in ("#startup-deals", "#startup-lois", "#startup-next"):
            self.query_one(table_id, DataTable).clear()
        self.startup = data.startup
        self.title = f"Startup: {printable(data.startup.name)}" if data.startup else "Startup"
        self.irp.refresh_breadcrumb()
        if data.startup is None:
            title.update("Choose a startup to see the interest in it.")
            return
        s = data.startup
        summary = data.summary
        assert summary is not None and data.deals is not None and data.lois is not None
        title.update(
            plain(
                f"{s.name} · {s.sector or 'no sector'}\n"
                f"LOIs {summary.count}건 from {plural(summary.investors, 'investor')} · "
                f"{total_line(summary.total, summary.converted)}"
            )
        )
        deals = self.query_one("#startup-deals", DataTable)
        for r in data.deals.rows:
            deals.add_row(
                r.investor,
                Text(r.stage.label, style=STAGE_STYLE[r.stage]),
                Text(money(r.last_loi), justify="right"),
                day(r.next_follow_up),
                key=str(r.id),
            )
        table = self.query_one("#startup-lois", DataTable)
        for x in data.lois:
            table.add_row(
                x.investor,
                Text(money(x.amount), justify="right"),
                label(x.instrument),
                day(x.received_on),
                day(x.valid_until),
                label(x.status),
            )
        steps = self.query_one("#startup-next", DataTable)
        assert data.next_steps is not None
        for f in data.next_steps.items:
            steps.add_row(
                day(f.due_on),
                f.investor,
                label(f.channel),
                marked(latest_first(f.note), f.note_shared, self.irp.actor),
            )
        for fitted in self.query(FittedTable):
            fitted.fit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_loi":
            return self.irp.actor.can_edit
        return True

    def action_new_loi(self) -> None:
        """Staff record an LOI for the startup on screen: only the investor is left to name."""
        from tui.actions import open_new_loi_form

        open_new_loi_form(self.app, self.irp.backend, startup=self.startup.name if self.startup else "")

    def choose(self, startup_id: int) -> None:
        """Show this startup (a palette jump); a startup user's own scope still wins in ``fetch``."""
        self.startup_id = startup_id
        self.reload()

    @on(Select.Changed, "#choose")
    def chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self.startup_id = event.value
            self.reload()

    @on(DataTable.RowSelected, "#startup-deals")
    def open_deal(self, event: DataTable.RowSelected) -> None:
        from tui.screens.deal import DealScreen

        if event.row_key.value is not None:
            self.app.push_screen(DealScreen(int(event.row_key.value)))
