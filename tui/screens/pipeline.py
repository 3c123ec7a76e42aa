"""Pipeline, the staff's home: deals with incremental search, filters and sorting, paged in SQL.

Only a page of rows is ever loaded; moving the cursor near the end loads the next page, so the
table stays quick on 100k deals.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from ir_pipeline.clock import local_today, utcnow
from ir_pipeline.errors import IrpError
from ir_pipeline.queries.deals import DealFilter, DealPage, SortKey, list_deals
from ir_pipeline.queries.records import list_events
from ir_pipeline.stages import Stage
from ir_pipeline.text import plural
from ir_pipeline.views import DealRow
from tui.format import STAGE_STYLE, choices, day, money
from tui.widgets.fitted_table import FittedTable
from tui.workers import BackendScreen

PAGE = 100
COLUMNS: list[tuple[str, SortKey]] = [
    ("#", "id"),
    ("Startup", "startup"),
    ("Investor", "investor"),
    ("Stage", "stage"),
    ("Last LOI", "last_loi"),
    ("Next due", "next_follow_up"),
    ("Days", "stage_changed_at"),
]


class PipelineScreen(BackendScreen):
    TITLE = "Pipeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("l", "add_loi", "Add LOI"),
        Binding("m", "move", "Move stage"),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self, *, investor_id: int | None = None, startup_id: int | None = None) -> None:
        super().__init__()
        self.flt = DealFilter(investor_id=investor_id, startup_id=startup_id)
        self.sort: SortKey = "id"
        self.descending = False
        self.rows: list[DealRow] = []
        self.total = 0
        self._debounce: Timer | None = None
        self._loading_more = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filters"):
            yield Input(placeholder="Search startup or investor…  (/)", id="search", compact=True)
            yield Select[Stage]([(s.label, s) for s in Stage], prompt="All stages", id="stage", compact=True)
            yield Select[int]([], prompt="All events", id="event", compact=True)
        yield FittedTable(id="deals", flexible={"startup": 1, "investor": 1})
        yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#deals", FittedTable)
        table.add_fitted_columns(*COLUMNS)
        table.focus()
        self._load_events()

    @work(thread=True, exit_on_error=False, group="events")
    def _load_events(self) -> None:
        b = self.irp.backend
        try:
            events = [(e.name, e.id) for e in b.read(list_events, actor=b.actor, limit=500)]
        except IrpError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._set_events, events)

    def _set_events(self, events: list[tuple[str, int]]) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#event", Select).set_options(choices(events))

    # -- data ------------------------------------------------------------------------------

    def fetch(self) -> DealPage:
        b = self.irp.backend
        return b.read(
            list_deals,
            actor=b.actor,
            flt=self.flt,
            sort=self.sort,
            descending=self.descending,
            offset=0,
            limit=PAGE,
        )

    def show(self, data: object) -> None:
        assert isinstance(data, DealPage)
        table = self.query_one("#deals", DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = []
        self._append(data)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))

    def _append(self, page: DealPage) -> None:
        table = self.query_one("#deals", FittedTable)
        now = utcnow()
        today = local_today()
        for r in page.rows:
            due = Text(
                day(r.next_follow_up),
                style="bold red" if r.next_follow_up and r.next_follow_up < today else "",
            )
            table.add_row(
                str(r.id),
                r.startup,
                r.investor,
                Text(r.stage.label, style=STAGE_STYLE[r.stage]),
                Text(money(r.last_loi), justify="right"),
                due,
                Text(str(r.days_in_stage(now)), justify="right"),
                key=str(r.id),
            )
        self.rows.extend(page.rows)
        self.total = page.total
        table.fit()
        arrow = "↓" if self.descending else "↑"
        label = next(lbl for lbl, key in COLUMNS if key == self.sort)
        self.query_one("#status", Static).update(
            f"{len(self.rows)} of {plural(self.total, 'deal')} shown · sorted by {label} {arrow}"
        )

    @on(DataTable.RowHighlighted, "#deals")
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.rows) - 5 and len(self.rows) < self.total and not self._loading_more:
            self._loading_more = True
            self._load_more(len(self.rows))

    @work(thread=True, exclusive=True, exit_on_error=False, group="more")
    def _load_more(self, offset: int) -> None:
        b = self.irp.backend
        try:
            page = b.read(
                list_deals,
                actor=b.actor,
                flt=self.flt,
                sort=self.sort,
                descending=self.descending,
                offset=offset,
                limit=PAGE,
            )
        except IrpError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            page = None
        self.app.call_from_thread(self._more_loaded, page, offset)

    def _more_loaded(self, page: DealPage | None, offset: int) -> None:
        self._loading_more = False
        if page is not None and offset == len(self.rows):
            self._append(page)

    # -- filters and sorting ---------------------------------------------------------------

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.25, lambda: self._apply(search=event.value))

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._apply(search=event.value)
        self.query_one("#deals", DataTable).focus()

    @on(Select.Changed, "#stage")
    def stage_changed(self, event: Select.Changed) -> None:
        self._apply(stage=event.value if isinstance(event.value, Stage) else None)

    def _apply(self, *, search: str | None = None, stage: Stage | bool | None = False) -> None:
        self.flt = DealFilter(
            stage=self.flt.stage if stage is False else stage,  # type: ignore[arg-type]
            startup_id=self.flt.startup_id,
            investor_id=self.flt.investor_id,
            event_id=self.flt.event_id,
            search=self.flt.search if search is None else search,
        )
        self.reload()

    @on(DataTable.HeaderSelected, "#deals")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        self.descending = not self.descending if key == self.sort else False
        self.sort = key  # type: ignore[assignment]
        self.reload()

    def action_cycle_sort(self) -> None:
        keys = [key for _, key in COLUMNS]
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)]
        self.descending = self.sort in ("last_loi", "stage_changed_at")
        self.reload()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#deals", DataTable).focus()

    # -- actions on the highlighted deal ---------------------------------------------------

    def current_deal(self) -> DealRow | None:
        table = self.query_one("#deals", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowSelected, "#deals")
    def open_deal(self, event: DataTable.RowSelected) -> None:
        from tui.screens.deal import DealScreen

        if event.row_key.value is not None:
            self.app.push_screen(DealScreen(int(event.row_key.value)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_loi", "move"):
            return self.irp.actor.can_edit
        return True

    def action_add_loi(self) -> None:
        from tui.actions import open_loi_form

        deal = self.current_deal()
        if deal is not None:
            open_loi_form(self, deal.id, f"LOI: {deal.startup} × {deal.investor}")

    def action_move(self) -> None:
        from tui.actions import open_move_form

        deal = self.current_deal()
        if deal is not None:
            open_move_form(self, deal.id, deal.stage)
