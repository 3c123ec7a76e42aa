"""Funnel dashboard, the managers' home: totals, bars per stage, conversion, ranked startups."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Label, Select, Static

from ir_pipeline.clock import utcnow
from ir_pipeline.fx.converted import needs_conversion, ranked_cell
from ir_pipeline.fx.stored import age_text, freshness
from ir_pipeline.queries.funnel import Funnel, FunnelFilter, funded_line, funnel, total_line
from ir_pipeline.queries.records import list_events, list_investors, list_startups
from ir_pipeline.text import plural
from tui.format import STAGE_STYLE, choices
from tui.widgets.fitted_table import FittedTable
from tui.widgets.funnel_bars import FunnelBars
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

FILTER_OPTIONS_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class DashboardData:
    funnel: Funnel
    events: list[tuple[str, int]]
    startups: list[tuple[str, int]]
    investors: list[tuple[str, int]]
    rates: str = ""


def headline(result: Funnel, rates: str = "") -> str:
    """``26건 · 8개사 · ₩17,150,000,000 · 171억 5천만 원``, the money received, and how current the
    exchange rates are when a total was converted with them."""
    lois = result.lois
    counts = f"LOIs {lois.count}건 · {lois.startups}개사 · {plural(lois.investors, 'investor')}"
    lines = [f"{counts} · {total_line(lois.total, lois.converted)}", f"Funded: {funded_line(result.funded)}"]
    if rates:
        lines.append(f"Exchange {rates}")
    return "\n".join(lines)


class DashboardScreen(BackendScreen):
    TITLE = "Funnel"
    HELP = """\
    The managers' view: LOIs received (count, companies, investors, totals per currency, and ≈ their
    total in the base currency at each LOI's own rate, with the rates used and what has no rate yet),
    the money actually received (Funded), deals and LOI amounts per stage, conversion between stages
    and where deals were lost. The exchange line says how current the stored rates are: ctrl+p ›
    "Update exchange rates" fetches the last week's.

    Reached: deals that ever got to the stage; → next: the share that went on; Dropped: those that did
    not (yet); Lost here: deals lost from that stage. Filter by event, startup or investor above;
    enter on a startup opens it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.flt = FunnelFilter()
        self._options_loaded = False
        #: Whether the figures are on screen (tests and the bench wait for it).
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard"):
            yield Static("Loading…", id="headline", classes="headline")
            with Horizontal(id="filters", classes="filters"):
                yield Select[int]([], prompt="All events", id="event", compact=True)
                yield Select[int]([], prompt="All startups", id="startup", compact=True)
                yield Select[int]([], prompt="All investors", id="investor", compact=True)
            yield Label("Deals and LOI amounts by stage", classes="section")
            yield FunnelBars(id="bars")
            yield Label("Conversion", classes="section")
            yield FittedTable(id="conversion", flexible={}, cursor_type="none")
            yield Label("Startups by LOI total", classes="section")
            # at 80 columns the names keep 16 cells: the funded column gives way (the headline
            # has the money received)
            yield FittedTable(id="ranking", flexible={"startup": 1}, drop=("funded",))
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#conversion", FittedTable).add_fitted_columns(
            ("Stage", "stage"),
            ("Reached", "reached"),
            ("→ next", "next"),
            ("Dropped", "dropped"),
            ("Lost here", "lost"),
        )
        self.query_one("#ranking", FittedTable).add_fitted_columns(
            ("#", "n"), ("Startup", "startup"), ("LOIs", "lois"), ("LOI total", "total"), ("Funded", "funded")
        )

    def fetch(self) -> DashboardData:
        b = self.irp.backend
        result = b.read(funnel, actor=b.actor, flt=self.flt)
        rates = self._rates(result)
        if self._options_loaded:
            return DashboardData(result, [], [], [], rates)
        events = [(e.name, e.id) for e in b.read(list_events, actor=b.actor, limit=FILTER_OPTIONS_LIMIT)]
        startups = [(s.name, s.id) for s in b.read(list_startups, actor=b.actor, limit=FILTER_OPTIONS_LIMIT)]
        investors = [
            (i.name, i.id) for i in b.read(list_investors, actor=b.actor, limit=FILTER_OPTIONS_LIMIT)
        ]
        return DashboardData(result, events, startups, investors, rates)

    def _rates(self, result: Funnel) -> str:
        """The rates' age, shown only when something is (or could be) converted with them."""
        totals = [result.lois.total, result.funded.total]
        if not any(needs_conversion(t, result.base or "") for t in totals):
            return ""
        fresh = self.irp.backend.read(freshness)
        return age_text(fresh, utcnow())

    def show(self, data: object) -> None:
        assert isinstance(data, DashboardData)
        if not self._options_loaded:
            self._options_loaded = True
            with self.prevent(Select.Changed):
                self.query_one("#event", Select).set_options(choices(data.events))
                self.query_one("#startup", Select).set_options(choices(data.startups))
                self.query_one("#investor", Select).set_options(choices(data.investors))
        result = data.funnel
        self.query_one("#headline", Static).update(headline(result, data.rates))
        self.query_one("#bars", FunnelBars).update_figures(result.stages)
        conversion = self.query_one("#conversion", FittedTable)
        conversion.clear()
        for s in result.stages:
            if s.reached is None:
                continue
            conversion.add_row(
                Text(s.stage.label, style=STAGE_STYLE[s.stage]),
                str(s.reached),
                "" if s.conversion is None else f"{s.conversion * 100:.1f}%",
                "" if s.dropped is None else str(s.dropped),
                str(s.lost_from) if s.lost_from else "",
            )
        conversion.fit()
        ranking = self.query_one("#ranking", DataTable)
        ranking.clear()
        for n, item in enumerate(result.by_startup, 1):
            funded = ranked_cell(item.funded, item.funded_converted) if item.funded else ""
            total = ranked_cell(item.total, item.converted)
            ranking.add_row(str(n), item.name, str(item.lois), total, funded, key=str(item.id))
        self.query_one("#ranking", FittedTable).fit()
        self.loaded = True

    @on(Select.Changed)
    def filter_changed(self, event: Select.Changed) -> None:
        def pick(widget_id: str) -> int | None:
            value = self.query_one(f"#{widget_id}", Select).value
            return value if isinstance(value, int) else None

        self.flt = FunnelFilter(
            event_id=pick("event"), startup_id=pick("startup"), investor_id=pick("investor")
        )
        self.reload()

    @on(DataTable.RowSelected, "#ranking")
    def open_startup(self, event: DataTable.RowSelected) -> None:
        from tui.screens.startup import StartupScreen

        if event.row_key.value is not None:
            self.app.push_screen(StartupScreen(startup_id=int(event.row_key.value)))
