"""Notifications (staff): the endpoints notices go to, and the latest deliveries with what their
last attempt got. t sends a test notice to the endpoint under the cursor, e enables or disables
it, r sends a failed or dead delivery again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Label, Static

from ir_pipeline.clock import format_local
from ir_pipeline.enums import DeliveryStatus
from ir_pipeline.errors import IrpError
from ir_pipeline.notify.endpoints import EndpointView, list_endpoints, set_active
from ir_pipeline.notify.status import (
    AttemptRow,
    DeliveryRow,
    attempts_of,
    queue_test,
    recent_deliveries,
    retry_delivery,
)
from ir_pipeline.text import plural
from tui.format import plain
from tui.widgets.fitted_table import FittedTable
from tui.widgets.keys_footer import KeysFooter
from tui.workers import BackendScreen

STATE_STYLE = {
    DeliveryStatus.PENDING: "yellow",
    DeliveryStatus.DELIVERED: "green",
    DeliveryStatus.FAILED: "bold red",
    DeliveryStatus.DEAD: "bold red",
}


@dataclass(frozen=True, slots=True)
class NotificationsData:
    endpoints: list[EndpointView]
    deliveries: list[DeliveryRow]


class NotificationsScreen(BackendScreen):
    TITLE = "Notifications"
    HELP = """\
    Where notices go (endpoints: a chat tool's incoming webhook, or a signed Standard Webhooks
    receiver) and how the latest ones went: pending (waiting for its next try), delivered, failed
    (refused by the receiver) or dead (every try failed).

    t sends a test notice to the endpoint under the cursor; e disables or enables it; r sends the
    delivery under the cursor again. Add endpoints with `irp notify add`.
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "test", "Test endpoint"),
        Binding("e", "switch", "Enable/disable"),
        Binding("r", "retry", "Retry delivery"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = NotificationsData([], [])

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Endpoints", classes="section")
        yield FittedTable(id="endpoints", flexible={"url": 2})
        yield Label("Latest deliveries", classes="section")
        yield FittedTable(id="deliveries", flexible={"notice": 3, "error": 2})
        yield Static("", id="attempts", classes="detail")
        yield Static("", id="status", classes="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#endpoints", FittedTable).add_fitted_columns(
            ("Name", "name"), ("Format", "format"), ("URL", "url"), ("Notices", "events"), ("State", "state")
        )
        self.query_one("#deliveries", FittedTable).add_fitted_columns(
            ("#", "id"),
            ("Endpoint", "endpoint"),
            ("Notice", "notice"),
            ("State", "state"),
            ("Tries", "tries"),
            ("Last error", "error"),
        )
        self.query_one("#deliveries", FittedTable).focus()

    def fetch(self) -> NotificationsData:
        b = self.irp.backend
        return NotificationsData(
            b.read(list_endpoints, actor=b.actor), b.read(recent_deliveries, actor=b.actor, limit=200)
        )

    def show(self, data: object) -> None:
        assert isinstance(data, NotificationsData)
        self.data = data
        endpoints = self.query_one("#endpoints", FittedTable)
        endpoints.clear()
        for e in data.endpoints:
            state = (
                Text("active", style="green") if e.active else Text(f"off: {e.disabled_reason}", style="dim")
            )
            endpoints.add_row(e.name, e.format.value, e.url, e.events or "all", state, key=str(e.id))
        endpoints.fit()
        deliveries = self.query_one("#deliveries", FittedTable)
        deliveries.clear()
        for d in data.deliveries:
            deliveries.add_row(
                str(d.id),
                d.endpoint,
                d.summary or d.event_type,
                Text(d.status.value, style=STATE_STYLE[d.status]),
                Text(str(d.attempts), justify="right"),
                d.last_error,
                key=str(d.id),
            )
        deliveries.fit()
        failed = sum(d.status in (DeliveryStatus.FAILED, DeliveryStatus.DEAD) for d in data.deliveries)
        self.query_one("#status", Static).update(
            f"{len(data.endpoints)} endpoint(s) · {len(data.deliveries)} latest deliveries"
            f" · {failed} not delivered"
        )

    @on(DataTable.RowHighlighted, "#deliveries")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        rows = self.data.deliveries
        if 0 <= event.cursor_row < len(rows):
            self._load_attempts(rows[event.cursor_row].id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="attempts")
    def _load_attempts(self, delivery_id: int) -> None:
        b = self.irp.backend
        try:
            tries = b.read(attempts_of, actor=b.actor, delivery_id=delivery_id)
        except IrpError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._show_attempts, delivery_id, tries)

    def _show_attempts(self, delivery_id: int, tries: list[AttemptRow]) -> None:
        """The highlighted delivery's tries, oldest first: when, what came back, how long."""
        lines = [
            f"Delivery #{delivery_id}: " + ("not tried yet" if not tries else plural(len(tries), "attempt"))
        ]
        for n, t in enumerate(tries, 1):
            got = f"HTTP {t.status_code}" if t.status_code is not None else t.error
            answer = f": {t.answer[:60]}" if t.answer else ""
            lines.append(f"  {n}. {format_local(t.at)} · {got} · {t.duration_ms} ms{answer}")
        self.query_one("#attempts", Static).update(plain("\n".join(lines[-6:])))

    def _endpoint(self) -> EndpointView | None:
        table = self.query_one("#endpoints", FittedTable)
        row = table.cursor_row
        return self.data.endpoints[row] if 0 <= row < len(self.data.endpoints) else None

    def _delivery(self) -> DeliveryRow | None:
        table = self.query_one("#deliveries", FittedTable)
        row = table.cursor_row
        return self.data.deliveries[row] if 0 <= row < len(self.data.deliveries) else None

    def action_test(self) -> None:
        endpoint = self._endpoint()
        if endpoint is None:
            self.notify("No endpoint yet: add one with irp notify add", severity="warning")
            return
        b = self.irp.backend

        def run() -> str:
            delivery_id = b.write(queue_test, actor=b.actor, name=endpoint.name)
            report = b.deliver_notices(only=delivery_id)
            if not report.outcomes:
                return "not sent"
            outcome = report.outcomes[0][1]
            return f"HTTP {outcome.status_code}" if outcome.status_code is not None else outcome.error

        self.act(run, lambda answer: self.notify(f"Test notice to {endpoint.name}: {answer}"))

    def action_switch(self) -> None:
        endpoint = self._endpoint()
        if endpoint is None:
            return
        b = self.irp.backend
        self.act(
            lambda: b.write(set_active, actor=b.actor, name=endpoint.name, active=not endpoint.active),
            success=f"{endpoint.name}: {'disabled' if endpoint.active else 'enabled'}",
        )

    def action_retry(self) -> None:
        delivery = self._delivery()
        if delivery is None:
            return
        b = self.irp.backend

        def run() -> None:
            b.write(retry_delivery, actor=b.actor, delivery_id=delivery.id)
            b.deliver_notices(only=delivery.id)

        self.act(run, success=f"Delivery #{delivery.id} sent again")
