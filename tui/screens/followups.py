"""Follow-up queue: overdue first and highlighted, then today, then upcoming; one key to act."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from ir_pipeline.clock import local_today
from ir_pipeline.drafts import NoteDraft
from ir_pipeline.enums import label
from ir_pipeline.queries.followups import FollowUpPage, Urgency, follow_up_queue, urgency
from ir_pipeline.services import followups
from ir_pipeline.sharing import marked
from ir_pipeline.views import FollowUpView
from tui.actions import reopen_undo
from tui.format import day, latest_first, plain
from tui.forms.pipeline import NoteForm
from tui.widgets.fitted_table import FittedTable
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

STYLE = {
    Urgency.OVERDUE: "bold red",
    Urgency.TODAY: "bold yellow",
    Urgency.UPCOMING: "",
    Urgency.CLOSED: "dim",
}
LIMIT = 500


class FollowUpsScreen(BackendScreen):
    TITLE = "Follow-ups"
    HELP = """\
    The chase list: open follow-ups by due date, overdue first (red). Note shows the latest note.

    c completes, s / S snooze a day / a week, n adds a note; enter opens the deal.
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "complete", "Complete"),
        Binding("s", "snooze(1)", "Snooze 1d"),
        Binding("S", "snooze(7)", "Snooze 1w"),
        Binding("n", "note", "Add note"),
        Binding("x", "cancel", "Cancel it"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[FollowUpView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="queue-summary", classes="headline")
        # at 80 columns the note and the names keep their room: owner, then channel, give way to
        # the detail line below
        yield FittedTable(
            id="queue",
            flexible={"note": 2, "startup": 2, "investor": 2, "owner": 1},
            drop=("owner", "channel"),
        )
        yield Static("", id="detail", classes="detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#queue", FittedTable).add_fitted_columns(
            ("Due", "due"),
            ("When", "when"),
            ("Note", "note"),
            ("Startup", "startup"),
            ("Investor", "investor"),
            ("Channel", "channel"),
            ("Owner", "owner"),
        )
        self.query_one("#queue", DataTable).focus()

    def fetch(self) -> FollowUpPage:
        b = self.irp.backend
        return b.read(follow_up_queue, actor=b.actor, today=local_today(), limit=LIMIT)

    def show(self, data: object) -> None:
        assert isinstance(data, FollowUpPage)
        today = local_today()
        table = self.query_one("#queue", DataTable)
        keep = table.cursor_row
        table.clear()
        self.items = data.items
        for f in data.items:
            u = urgency(f, today)
            style = STYLE[u]
            when = (
                "overdue"
                if u is Urgency.OVERDUE
                else ("today" if u is Urgency.TODAY else f"in {(f.due_on - today).days}d")
            )
            table.add_row(
                Text(day(f.due_on), style=style),
                Text(when, style=style),
                marked(latest_first(f.note), f.note_shared, self.irp.actor),
                f.startup,
                f.investor,
                label(f.channel),
                f.owner,
                key=str(f.id),
            )
        if self.items:
            table.move_cursor(row=min(keep, len(self.items) - 1))
        self._show_detail(table.cursor_row)
        self.query_one("#queue", FittedTable).fit()
        due_today = sum(1 for f in data.items if urgency(f, today) is Urgency.TODAY)
        self.query_one("#queue-summary", Static).update(
            f"{data.count_label(data.total)} open follow-ups · {data.count_label(data.overdue)} overdue"
            f" · {due_today} due today"
        )

    def _current(self) -> FollowUpView | None:
        table = self.query_one("#queue", DataTable)
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("complete", "cancel", "snooze", "note"):
            return self.irp.actor.can_edit
        return True

    def action_complete(self) -> None:
        self._close(followups.complete_follow_up, "Done")

    def action_cancel(self) -> None:
        self._close(followups.cancel_follow_up, "Cancelled")

    def _close(self, close: Callable[..., FollowUpView], verb: str) -> None:
        """Complete or cancel the follow-up under the cursor, with ``u`` to open it again."""
        item = self._current()
        if item is None:
            return
        b = self.irp.backend
        self.act(
            lambda: b.write(close, actor=b.actor, follow_up_id=item.id),
            success=f"{verb}: {item.note.splitlines()[0] if item.note else item.startup}",
            undo=reopen_undo(b, item),
        )

    def action_snooze(self, days: int) -> None:
        item = self._current()
        if item is None:
            return
        b = self.irp.backend
        due = max(item.due_on, local_today()) + timedelta(days=days)
        before = item.due_on
        self.act(
            lambda: b.write(followups.reschedule_follow_up, actor=b.actor, follow_up_id=item.id, due_on=due),
            success=f"Snoozed to {due}",
            undo=lambda view: (
                lambda: b.write(
                    followups.reschedule_follow_up,
                    actor=b.actor,
                    follow_up_id=view.id,
                    due_on=before,
                    note=f"snooze to {due} undone",
                )
            ),
        )

    def action_note(self) -> None:
        item = self._current()
        if item is None:
            return
        b = self.irp.backend

        def save(note: NoteDraft) -> FollowUpView:
            return b.write(
                followups.annotate_follow_up,
                actor=b.actor,
                follow_up_id=item.id,
                note=note.text,
                shared=note.shared,
            )

        def done(result: FollowUpView | None) -> None:
            if result is not None:
                self.reload()

        self.app.push_screen(NoteForm(save, shared=item.note_shared), done)

    @on(DataTable.RowSelected, "#queue")
    def open_deal(self) -> None:
        from tui.screens.deal import DealScreen

        item = self._current()
        if item is not None:
            self.app.push_screen(DealScreen(item.deal_id))

    @on(DataTable.RowHighlighted, "#queue")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        """The row under the cursor in full: a note cut in the table is whole here."""
        detail = self.query_one("#detail", Static)
        if not self.items or not 0 <= row < len(self.items):
            detail.update("")
            return
        f = self.items[row]
        detail.update(
            plain(
                f"{f.startup} × {f.investor} · due {day(f.due_on)} · {label(f.channel)}"
                + (f" · {f.owner}" if f.owner else "")
                + f"\n{f.note or '(no note)'}"
            )
        )
