"""One deal: LOIs, follow-ups, fundings and the stage history, with every action on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Label, Static

from ir_pipeline.clock import format_local, local_today
from ir_pipeline.drafts import FundingDraft
from ir_pipeline.enums import FollowUpStatus, LoiStatus, label
from ir_pipeline.money import format_both
from ir_pipeline.queries.audit import AuditView, list_audit
from ir_pipeline.queries.deals import get_deal_detail
from ir_pipeline.services import deals, followups, fundings, lois
from ir_pipeline.sharing import marked
from ir_pipeline.stages import Stage
from ir_pipeline.text import printable
from ir_pipeline.views import DealDetail, FollowUpView, FundingView, LoiView
from tui.actions import (
    after_save,
    open_follow_up_form,
    open_loi_form,
    open_move_form,
    open_reopen_form,
    reopen_undo,
)
from tui.format import STAGE_STYLE, day, latest_first, money, plain
from tui.forms.pipeline import FundingForm, LoiStatusForm
from tui.widgets.fitted_table import FittedTable
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

AUDIT_ROWS = 50


class DealScreen(BackendScreen):
    TITLE = "Deal"
    HELP = """\
    One deal in full: its letters of intent (amount, upper amount of a range, instrument, dates,
    status), follow-ups, fundings (money actually received), the stage history and who changed what.

    A deal moves along the pipeline with m; funded needs a recorded funding ($), lost needs a reason.
    r takes back the latest move (a lost deal is reopened at the stage it was lost from, with a
    reason). On the follow-up under the cursor: c completes, x cancels, o opens it again. s sets the
    status of the LOI under the cursor (withdrawn, expired, converted). u undoes a one-key change.
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "move", "Move"),
        Binding("l", "add_loi", "Add LOI"),
        Binding("e", "edit_loi", "Edit LOI"),
        Binding("f", "add_follow_up", "Follow-up"),
        Binding("c", "complete", "Complete"),
        Binding("dollar_sign", "funding", "Funding"),
        Binding("r", "revert", "Take back move", show=False),
        Binding("x", "cancel_follow_up", "Cancel follow-up", show=False),
        Binding("o", "reopen_follow_up", "Reopen follow-up", show=False),
        Binding("s", "loi_status", "LOI status", show=False),
    ]

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.detail: DealDetail | None = None
        self.title = f"Deal #{deal_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="deal"):
            yield Static("Loading…", id="deal-title", classes="headline")
            yield Static("", id="deal-meta")
            yield Label("Letters of intent", classes="section")
            # at 80 columns the amount (in won and 억), validity and status stay: the day received,
            # then the instrument, give way
            yield FittedTable(id="lois", flexible={}, drop=("received", "instrument"))
            yield Label("Follow-ups", classes="section")
            yield FittedTable(id="follow-ups", flexible={"note": 1})
            yield Label("Fundings", classes="section")
            yield FittedTable(id="fundings", flexible={}, cursor_type="none")
            yield Label("Stage history", classes="section")
            yield FittedTable(id="history", flexible={"reason": 1}, cursor_type="none")
            yield Label("Changes (audit trail)", classes="section", id="audit-label")
            yield FittedTable(id="audit", flexible={"old": 1, "new": 1}, cursor_type="none")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#lois", FittedTable).add_fitted_columns(
            ("#", "id"),
            ("Amount", "amount"),
            ("Instrument", "instrument"),
            ("Received", "received"),
            ("Valid to", "valid"),
            ("Status", "status"),
        )
        self.query_one("#follow-ups", FittedTable).add_fitted_columns(
            ("#", "id"),
            ("Due", "due"),
            ("Channel", "channel"),
            ("Owner", "owner"),
            ("Status", "status"),
            ("Note", "note"),
        )
        self.query_one("#fundings", FittedTable).add_fitted_columns(
            ("#", "id"), ("Amount", "amount"), ("Instrument", "instrument"), ("Closed", "closed")
        )
        self.query_one("#history", FittedTable).add_fitted_columns(
            ("When", "when"), ("From", "from"), ("To", "to"), ("By", "by"), ("Reason", "reason")
        )
        self.query_one("#audit", FittedTable).add_fitted_columns(
            ("When", "when"),
            ("By", "by"),
            ("Record", "record"),
            ("Field", "field"),
            ("Old", "old"),
            ("New", "new"),
        )
        shows_audit = self.irp.actor.startup_scope is None  # the trail is for staff and managers
        self.query_one("#audit-label").display = shows_audit
        self.query_one("#audit").display = shows_audit

    def fetch(self) -> tuple[DealDetail, list[AuditView]]:
        b = self.irp.backend
        detail = b.read(get_deal_detail, actor=b.actor, deal_id=self.deal_id)
        trail = (
            b.read(list_audit, actor=b.actor, deal_id=self.deal_id, limit=AUDIT_ROWS)
            if b.actor.startup_scope is None
            else []
        )
        return detail, trail

    def show(self, data: object) -> None:
        assert isinstance(data, tuple)
        data, trail = data
        assert isinstance(data, DealDetail)
        self.detail = data
        self._show_audit(trail)
        d = data.deal
        title = Text.assemble(
            printable(f"Deal #{d.id}  {d.startup} × {d.investor}  "), (d.stage.label, STAGE_STYLE[d.stage])
        )
        self.query_one("#deal-title", Static).update(title)
        final = "none (lost: r reopens it)" if d.stage is Stage.LOST else "none (final)"
        moves = ", ".join(s.label for s in data.allowed_moves) or final
        self.query_one("#deal-meta", Static).update(
            plain(
                f"Event: {d.event or '—'} · Owner: {d.owner or '—'} · in stage since "
                f"{format_local(d.stage_changed_at)} · next: {moves}"
                + (f"\nNotes: {marked(data.notes, data.notes_shared, self.irp.actor)}" if data.notes else "")
            )
        )
        table = self.query_one("#lois", FittedTable)
        table.clear()
        for x in data.lois:
            amount = (
                format_both(x.amount)
                if x.amount_max is None
                else f"{money(x.amount)} – {money(x.amount_max)}"
            )
            table.add_row(
                str(x.id),
                amount,
                label(x.instrument),
                day(x.received_on),
                day(x.valid_until),
                label(x.status),
                key=str(x.id),
            )
        table.fit()
        table = self.query_one("#follow-ups", FittedTable)
        table.clear()
        today = local_today()
        for f in data.follow_ups:
            overdue = f.status is FollowUpStatus.OPEN and f.due_on < today
            table.add_row(
                str(f.id),
                Text(day(f.due_on), style="bold red" if overdue else ""),
                label(f.channel),
                f.owner,
                label(f.status),
                marked(latest_first(f.note), f.note_shared, self.irp.actor),
                key=str(f.id),
            )
        table.fit()
        funded = self.query_one("#fundings", FittedTable)
        funded.clear()
        for g in data.fundings:
            funded.add_row(str(g.id), format_both(g.amount), label(g.instrument), day(g.closed_on))
        funded.fit()
        table = self.query_one("#history", FittedTable)
        table.clear()
        for h in data.history:
            table.add_row(
                format_local(h.changed_at),
                h.from_stage.label if h.from_stage else "—",
                Text(h.to_stage.label, style=STAGE_STYLE[h.to_stage]),
                h.changed_by,
                h.reason,
            )
        table.fit()

    def _show_audit(self, trail: list[AuditView]) -> None:
        table = self.query_one("#audit", FittedTable)
        table.clear()
        for a in trail:
            what = a.action.value if a.field is None else a.field
            table.add_row(
                format_local(a.at),
                a.actor,
                f"{a.table.replace('_', ' ')} #{a.record_id}",
                what,
                a.old_value or "",
                a.new_value or "",
            )
        table.fit()

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in (
            "move",
            "add_loi",
            "edit_loi",
            "add_follow_up",
            "complete",
            "funding",
            "revert",
            "cancel_follow_up",
            "reopen_follow_up",
            "loi_status",
        ):
            return self.irp.actor.can_edit
        return True

    def _selected(self, table_id: str) -> int | None:
        table = self.query_one(table_id, DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def action_move(self) -> None:
        if self.detail is not None:
            deal = self.detail.deal
            open_move_form(self, self.deal_id, deal.stage, version=deal.version)

    def action_add_loi(self) -> None:
        if self.detail is not None:
            d = self.detail.deal
            open_loi_form(self, self.deal_id, f"New LOI: {d.startup} × {d.investor}")

    def action_edit_loi(self) -> None:
        loi_id = self._selected("#lois")
        if self.detail is None or loi_id is None:
            self.notify("No LOI to edit", severity="warning")
            return
        initial = next(x for x in self.detail.lois if x.id == loi_id)
        open_loi_form(self, self.deal_id, f"Edit LOI #{loi_id}", initial=initial)

    def action_add_follow_up(self) -> None:
        open_follow_up_form(self, self.deal_id)

    def action_complete(self) -> None:
        self._on_follow_up(followups.complete_follow_up, "done", undo=True)

    def action_cancel_follow_up(self) -> None:
        self._on_follow_up(followups.cancel_follow_up, "cancelled", undo=True)

    def action_reopen_follow_up(self) -> None:
        self._on_follow_up(followups.reopen_follow_up, "is open again", undo=False)

    def _on_follow_up(self, change: Callable[..., FollowUpView], what: str, *, undo: bool) -> None:
        """A one-key change to the follow-up under the cursor, from the version shown."""
        follow_up_id = self._selected("#follow-ups")
        if follow_up_id is None or self.detail is None:
            self.notify("No follow-up selected", severity="warning")
            return
        b = self.irp.backend
        before = next((f for f in self.detail.follow_ups if f.id == follow_up_id), None)
        shown = before.version if before is not None else None
        self.act(
            lambda: b.write(change, actor=b.actor, follow_up_id=follow_up_id, expected_version=shown),
            success=f"Follow-up #{follow_up_id} {what}",
            undo=reopen_undo(b, before) if undo else None,
        )

    def action_revert(self) -> None:
        """Take back the latest move; a lost deal asks why it is reopened."""
        if self.detail is None:
            return
        if self.detail.deal.stage is Stage.LOST:
            open_reopen_form(self, self.deal_id)
            return
        b = self.irp.backend
        self.act(
            lambda: b.write(deals.revert_stage, actor=b.actor, deal_id=self.deal_id),
            success="Latest move taken back",
            undo=lambda change: lambda: b.write(deals.revert_stage, actor=b.actor, deal_id=self.deal_id),
        )

    def action_loi_status(self) -> None:
        loi_id = self._selected("#lois")
        if self.detail is None or loi_id is None:
            self.notify("No LOI selected", severity="warning")
            return
        loi = next(x for x in self.detail.lois if x.id == loi_id)
        b = self.irp.backend

        def save(status: LoiStatus) -> LoiView:
            return b.write(
                lois.set_loi_status, actor=b.actor, loi_id=loi_id, status=status, expected_version=loi.version
            )

        def undo(view: LoiView) -> Callable[[], object]:
            return lambda: b.write(lois.set_loi_status, actor=b.actor, loi_id=view.id, status=loi.status)

        self.app.push_screen(
            LoiStatusForm(save, current=loi.status),
            after_save(self, f"LOI #{loi_id} status changed", undo=undo),
        )

    def action_funding(self) -> None:
        b = self.irp.backend

        def save(draft: FundingDraft) -> FundingView:
            return b.write(fundings.record_funding, actor=b.actor, deal_id=self.deal_id, draft=draft)

        standing = [x for x in self.detail.lois if x.status is LoiStatus.RECEIVED] if self.detail else []
        proposed = max(standing, key=lambda x: (x.received_on, x.id)) if standing else None
        self.app.push_screen(FundingForm(save, proposed=proposed), after_save(self, "Funding recorded"))

    @on(DataTable.RowSelected, "#lois")
    def edit_selected_loi(self) -> None:
        if self.irp.actor.can_edit:
            self.action_edit_loi()
