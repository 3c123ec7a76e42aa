"""Pipeline, the staff's home: deals with incremental search, filters and sorting, paged in SQL.

Only a page of rows is ever loaded; moving the cursor near the end loads the next page, so the
table stays quick on 100k deals.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, DataTable, Header, Input, Select, Static

from ir_pipeline.clock import local_today, utcnow
from ir_pipeline.errors import IrpError
from ir_pipeline.queries.deals import DealFilter, DealPage, FilterChip, SortKey, filter_chips, list_deals
from ir_pipeline.queries.records import has_data, list_events
from ir_pipeline.stages import Stage
from ir_pipeline.text import plural
from ir_pipeline.views import DealRow
from tui.format import STAGE_STYLE, choices, day, money, plain
from tui.widgets.fitted_table import FittedTable
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

PAGE = 100
#: What an empty database shows instead of an empty table.
FIRST_RUN = (
    "Nothing is recorded yet. Start with the demo (the IR session of World Smart City Week 2018:"
    " 26 LOIs for 8 startups), import your spreadsheet of startups, investors or LOIs, or add a"
    " startup and then press l to record its first LOI."
)
#: The first direction of each column when sorting by it: largest amounts and stalest deals first.
DEFAULT_DESCENDING = {"last_loi": True, "stage_changed_at": False}
COLUMNS: list[tuple[str, SortKey]] = [
    ("#", "id"),
    ("Startup", "startup"),
    ("Investor", "investor"),
    ("Stage", "stage"),
    ("Last LOI", "last_loi"),
    ("Next due", "next_follow_up"),
    ("Days", "stage_changed_at"),
]


def sort_label(key: str, descending: bool) -> str:
    """``Days ↓ (stalest first)``: the arrow follows the figures shown, not the column stored
    (days in stage grow as the stage-change time goes back)."""
    label = next(lbl for lbl, k in COLUMNS if k == key)
    if key == "stage_changed_at":
        return f"{label} ↑ (newest first)" if descending else f"{label} ↓ (stalest first)"
    if key == "stage":
        return f"{label} {'↓ (pipeline order reversed)' if descending else '↑ (pipeline order)'}"
    return f"{label} {'↓' if descending else '↑'}"


class PipelineScreen(BackendScreen):
    TITLE = "Pipeline"
    HELP = """\
    Every deal between a startup and an investor, one row each, paged from the database.

    Columns: # the deal; Startup and Investor; Stage (sourced → pitched → LOI → diligence → term sheet →
    funded, or lost / on hold); Last LOI, the amount of the most recent letter of intent; Next due,
    the earliest open follow-up (red when overdue); Days, how long the deal has been in its stage.

    Filters show as chips above the table: esc clears them all, ⌫ the last one, a click one. Sort with o
    (next column) and O (reverse); d puts the stalest deals first. enter opens the deal.
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "add_loi", "Add LOI"),
        Binding("m", "move", "Move stage"),
        Binding("slash", "focus_search", "Search"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("O", "reverse_sort", "Reverse", show=False),
        Binding("d", "stalest_first", "Stalest", show=False),
        Binding("escape", "escape", "Clear filters", show=False),
        Binding("backspace", "clear_last_filter", "Clear filter", show=False),
    ]

    def __init__(self, *, investor_id: int | None = None, startup_id: int | None = None) -> None:
        super().__init__()
        self.flt = DealFilter(investor_id=investor_id, startup_id=startup_id)
        self.sort: SortKey = "id"
        self.descending = False
        self.rows: list[DealRow] = []
        self.total = 0
        self.next_after: str | None = None
        self._debounce: Timer | None = None
        self._loading_more = False
        self.chips: list[FilterChip] = []
        self._events_asked = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filters"):
            yield Input(placeholder="Search startup or investor…  (/)", id="search", compact=True)
            yield Select[Stage]([(s.label, s) for s in Stage], prompt="All stages", id="stage", compact=True)
            yield Select[int]([], prompt="All events", id="event", compact=True)
        yield Horizontal(id="chips", classes="chips")
        with Vertical(id="first-run"):
            yield Static(FIRST_RUN, id="first-run-text")
            with Horizontal(id="first-run-buttons"):
                yield Button("Load the demo", id="first-demo", variant="primary")
                yield Button("Import a spreadsheet", id="first-import")
                yield Button("Add a startup", id="first-startup")
        # at 80 columns the names keep 16 cells: the next follow-up, then the days, give way to
        # the detail line below
        yield FittedTable(
            id="deals", flexible={"startup": 1, "investor": 1}, drop=("next_follow_up", "stage_changed_at")
        )
        yield Static("", id="detail", classes="status")
        yield Static("", id="status", classes="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#deals", FittedTable)
        table.add_fitted_columns(*COLUMNS)
        table.focus()

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

    def fetch(self) -> tuple[DealPage, list[FilterChip], bool]:
        b = self.irp.backend
        page = b.read(
            list_deals,
            actor=b.actor,
            flt=self.flt,
            sort=self.sort,
            descending=self.descending,
            limit=PAGE,
        )
        chips = b.read(filter_chips, actor=b.actor, flt=self.flt)
        # an empty list with no filter may be an empty database: then say how to start
        empty = not page.rows and not chips and not b.read(has_data)
        return page, chips, empty

    def show(self, data: object) -> None:
        assert isinstance(data, tuple)
        data, chips, empty = data
        assert isinstance(data, DealPage)
        self.query_one("#first-run", Vertical).display = empty
        self.query_one("#deals", FittedTable).display = not empty
        if empty and self.irp.actor.can_edit:
            self.query_one("#first-demo", Button).focus()
        self._show_chips(chips)
        table = self.query_one("#deals", DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = []
        self._append(data)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        if not self._events_asked:  # the event filter's choices after the first rows, not before
            self._events_asked = True
            self._load_events()

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
        self.next_after = page.next_after
        table.fit()
        deals = "deal" if page.total == 1 and page.total_exact else "deals"
        self.query_one("#status", Static).update(
            f"{len(self.rows)} of {page.total_label} {deals} shown"
            + (" (filtered)" if self.chips else "")
            + f" · sorted by {sort_label(self.sort, self.descending)}"
        )

    def _show_chips(self, chips: list[FilterChip]) -> None:
        self.chips = chips
        bar = self.query_one("#chips", Horizontal)
        bar.remove_children()
        bar.mount_all(
            Button(plain(f"{chip.label} ✕"), name=chip.key, compact=True, classes="chip") for chip in chips
        )
        bar.display = bool(chips)

    @on(DataTable.RowHighlighted, "#deals")
    def show_detail(self, event: DataTable.RowHighlighted) -> None:
        """The deal under the cursor in full: names cut to fit the columns are whole here."""
        row = self.rows[event.cursor_row] if 0 <= event.cursor_row < len(self.rows) else None
        text = "" if row is None else f"#{row.id} {row.startup} × {row.investor} · {row.stage.label}"
        hidden = self.query_one("#deals", FittedTable).hidden
        if row is not None and "stage_changed_at" in hidden:
            text += f" · {plural(row.days_in_stage(utcnow()), 'day')} in stage"
        if row is not None and "next_follow_up" in hidden and row.next_follow_up:
            text += f" · next due {day(row.next_follow_up)}"
        if row is not None and row.event:
            text += f" · {row.event}"
        self.query_one("#detail", Static).update(plain(text))

    @on(DataTable.RowHighlighted, "#deals")
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.rows) - 5 and self.next_after and not self._loading_more:
            self._loading_more = True
            self._load_more(self.next_after)

    @work(thread=True, exclusive=True, exit_on_error=False, group="more")
    def _load_more(self, after: str) -> None:
        """The page after the last row shown (keyset: as quick at row 900,000 as at row 100)."""
        b = self.irp.backend
        try:
            page = b.read(
                list_deals,
                actor=b.actor,
                flt=self.flt,
                sort=self.sort,
                descending=self.descending,
                after=after,
                limit=PAGE,
            )
        except IrpError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            page = None
        self.app.call_from_thread(self._more_loaded, page, after)

    def _more_loaded(self, page: DealPage | None, after: str) -> None:
        self._loading_more = False
        if page is not None and after == self.next_after:
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

    @on(Select.Changed, "#event")
    def event_changed(self, event: Select.Changed) -> None:
        self._apply(event_id=event.value if isinstance(event.value, int) else None)

    def _apply(self, **changes: object) -> None:
        self.flt = replace(self.flt, **changes)  # type: ignore[arg-type]
        self.reload()

    def filter_investor(self, investor_id: int) -> None:
        """Show one investor's deals (a palette jump); the chip above the table says so."""
        self._apply(investor_id=investor_id)

    def clear_filter(self, key: str) -> None:
        """Clear one filter, and the control that set it."""
        if key == "search":
            with self.prevent(Input.Changed):
                self.query_one("#search", Input).value = ""
            self._apply(search="")
            return
        if key in ("stage", "event"):
            with self.prevent(Select.Changed):
                self.query_one(f"#{key}", Select).clear()
        self._apply(**{f"{key}_id" if key != "stage" else "stage": None})

    @on(Button.Pressed, ".chip")
    def chip_pressed(self, event: Button.Pressed) -> None:
        self.clear_filter(event.button.name or "")

    def action_clear_last_filter(self) -> None:
        if self.chips:
            self.clear_filter(self.chips[-1].key)

    def action_escape(self) -> None:
        """``esc``: leave the search box; else clear the filters; else go back a screen."""
        if self.query_one("#search", Input).has_focus:
            self.action_focus_table()
        elif self.chips:
            for chip in list(self.chips):
                self.clear_filter(chip.key)
        else:
            self.run_worker(self.irp.action_back(), group="back")

    @on(DataTable.HeaderSelected, "#deals")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        self._sort(key, not self.descending if key == self.sort else DEFAULT_DESCENDING.get(key, False))

    def _sort(self, key: str, descending: bool) -> None:
        self.sort, self.descending = key, descending  # type: ignore[assignment]
        self.reload()

    def action_cycle_sort(self) -> None:
        keys = [key for _, key in COLUMNS]
        following = keys[(keys.index(self.sort) + 1) % len(keys)]
        self._sort(following, DEFAULT_DESCENDING.get(following, False))

    def action_reverse_sort(self) -> None:
        self._sort(self.sort, not self.descending)

    def action_stalest_first(self) -> None:
        self._sort("stage_changed_at", False)

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
        """An LOI on the deal under the cursor; with none (an empty list), one for a startup and
        an investor named in the form."""
        from tui.actions import open_loi_form, open_new_loi_form

        deal = self.current_deal()
        if deal is not None:
            open_loi_form(self, deal.id, f"LOI: {deal.startup} × {deal.investor}")
        else:
            open_new_loi_form(self.app, self.irp.backend)

    # -- the first-run panel ---------------------------------------------------------------

    @on(Button.Pressed, "#first-demo")
    def first_demo(self) -> None:
        b = self.irp.backend
        self.act(
            b.load_demo,
            lambda summary: self.irp.refresh_breadcrumb(),
            success="Demo loaded: the IR session of WSCW 2018, as of its press release (2018-10-10)",
        )

    @on(Button.Pressed, "#first-import")
    def first_import(self) -> None:
        from tui.actions import open_import_form

        open_import_form(self.irp)

    @on(Button.Pressed, "#first-startup")
    def first_startup(self) -> None:
        from tui.actions import open_startup_form

        open_startup_form(self.app, self.irp.backend)

    def action_move(self) -> None:
        from tui.actions import open_move_form

        deal = self.current_deal()
        if deal is not None:
            open_move_form(self, deal.id, deal.stage)
