"""The Textual app: a small shell that owns the backend, the modes and the user.

Screens live in ``tui/screens`` (one module each), forms in ``tui/forms``; this module only wires
them together. ``make_app`` is the one factory the CLI and the tests use.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ir_pipeline.actors import Actor
from ir_pipeline.enums import Role
from ir_pipeline.errors import IrpError
from ir_pipeline.text import printable
from tui.workers import unexpected

if TYPE_CHECKING:
    from ir_pipeline.gateway import Backend

#: mode name → (title, where its screen class lives); the order is the order of the number keys.
#: Screens are imported when first shown, so the first frame never waits for the database layer.
SCREENS: dict[str, tuple[str, str]] = {
    "dashboard": ("Dashboard", "tui.screens.dashboard:DashboardScreen"),
    "pipeline": ("Pipeline", "tui.screens.pipeline:PipelineScreen"),
    "followups": ("Follow-ups", "tui.screens.followups:FollowUpsScreen"),
    "startup": ("Startup", "tui.screens.startup:StartupScreen"),
    "records": ("Records", "tui.screens.records:RecordsScreen"),
}


def _load(where: str) -> Any:
    module, name = where.split(":")
    return getattr(importlib.import_module(module), name)


def screen_class(mode: str) -> type[Screen[None]]:
    return _load(SCREENS[mode][1])  # type: ignore[no-any-return]


def _mode(mode: str) -> Callable[[], Screen[None]]:
    return lambda: screen_class(mode)()


def _commands() -> type[Provider]:
    return _load("tui.commands:IrpCommands")  # type: ignore[no-any-return]


HOME = {Role.STAFF: "pipeline", Role.MANAGER: "dashboard", Role.STARTUP: "startup"}
#: While the app is open it looks after notices: a staff user's app writes the ones time makes
#: (overdue follow-ups, expiring LOIs) every ``SCAN_EVERY`` seconds and, on a single-user database,
#: sends what is due every ``TICK``; the header's counts follow. The first look waits a minute, so
#: it never slows the start.
SCAN_EVERY = 300.0
TICK = 30.0
FIRST_SCAN_AFTER = 60.0
#: How long a one-key change can be taken back with ``u``.
UNDO_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class PendingUndo:
    message: str
    run: Callable[[], object]
    until: float


class Switching(Screen[None]):
    """Shown for a moment while the user changes, so no screen of the previous user stays alive."""

    def compose(self) -> ComposeResult:
        yield Static("Switching user…")


class Starting(Screen[None]):
    """The first frame, painted while the database layer loads and the database opens."""

    def compose(self) -> ComposeResult:
        yield Static("ir-pipeline · opening the database…", id="starting")


class IrpApp(App[None]):
    TITLE = "ir-pipeline"
    CSS_PATH = "styles/app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {_commands}
    MODES: ClassVar[dict[str, Any]] = {name: _mode(name) for name in SCREENS} | {
        "switching": Switching,
        "starting": Starting,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("1", "show('dashboard')", "Dashboard"),
        Binding("2", "show('pipeline')", "Pipeline"),
        Binding("3", "show('followups')", "Follow-ups"),
        Binding("4", "show('startup')", "Startup"),
        Binding("5", "show('records')", "Records"),
        Binding("u", "undo", "Undo"),
        Binding("y", "copy_path", "Copy path", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("f1", "help", "Help", show=False),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages carry names and notes from outside, and a
        name is never markup (``[bold]``) or a terminal control sequence."""
        super().notify(
            printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False
        )

    def __init__(
        self, backend: Backend | None = None, *, connect: Callable[[], Backend] | None = None
    ) -> None:
        super().__init__()
        if backend is None and connect is None:
            raise ValueError("give the app a backend, or a way to connect one")
        self._backend = backend
        self._connect = connect
        self._undo: PendingUndo | None = None
        #: The file the last export wrote, for ``y`` to copy.
        self.last_path: str | None = None
        #: What the header says about overdue follow-ups and notices (see :meth:`tick_now`).
        self.alerts = ""

    # -- undo ------------------------------------------------------------------------------

    def offer_undo(self, message: str, undo: Callable[[], object]) -> None:
        """After a one-key change: say what happened, and let ``u`` take it back for a while.

        The undo is a real inverse service call (reopen, move back, reschedule back), recorded in
        the history and the audit trail like any change; nothing is deleted.
        """
        self._undo = PendingUndo(message, undo, time.monotonic() + UNDO_SECONDS)
        self.notify(f"{message} · u to undo", timeout=UNDO_SECONDS)
        self.refresh_bindings()

    def _undo_available(self) -> bool:
        return self._undo is not None and time.monotonic() < self._undo.until

    async def action_undo(self) -> None:
        pending, self._undo = self._undo, None
        self.refresh_bindings()
        if pending is None or time.monotonic() >= pending.until:
            self.notify("Nothing to undo", severity="warning")
            return
        try:
            await asyncio.to_thread(pending.run)
        except IrpError as error:
            self.notify(str(error), title="Not undone", severity="error")
            return
        self.notify(f"Undone: {pending.message}")
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    # -- who is acting ---------------------------------------------------------------------

    @property
    def backend(self) -> Backend:
        assert self._backend is not None, "the database is not open yet"
        return self._backend

    @property
    def actor(self) -> Actor:
        return self.backend.actor

    def allowed_modes(self) -> list[str]:
        """A startup user sees the startup view and nothing else (and nobody, before the start)."""
        if self._backend is None:
            return []
        if self.actor.role is Role.STARTUP:
            return ["startup"]
        return list(SCREENS)

    def on_mount(self) -> None:
        if self._backend is None:
            self.sub_title = "starting"
            self.switch_mode("starting")
            # after the first frame is painted: a worker loading SQLAlchemy meanwhile would hold the
            # interpreter while that frame is composed
            self.call_after_refresh(self._open)
            return
        self._backend.after_write(self._changed)
        self._refresh_title()
        self.switch_mode(HOME[self.actor.role])
        self._schedule_scans()

    @work(thread=True, exclusive=True, exit_on_error=False, group="start")
    def _open(self) -> None:
        """Load the database layer and open the database after the first frame is on screen."""
        assert self._connect is not None
        try:
            backend = self._connect()
        except IrpError as error:
            self.call_from_thread(self.exit, None, 1, f"irp: {printable(str(error))}")
            return
        except Exception as error:  # never "starting" forever
            self.call_from_thread(self.exit, None, 1, f"irp: {printable(unexpected(error))}")
            return
        self.call_from_thread(self._opened, backend)

    def _opened(self, backend: Backend) -> None:
        self._backend = backend
        backend.after_write(self._changed)
        self._refresh_title()
        self.refresh_bindings()
        self.switch_mode(HOME[self.actor.role])
        self._schedule_scans()

    def _schedule_scans(self) -> None:
        self.set_timer(FIRST_SCAN_AFTER, self.scan_now)
        self.set_interval(SCAN_EVERY, self.scan_now)
        self.set_timer(FIRST_SCAN_AFTER + 1, self.tick_now)
        self.set_interval(TICK, self.tick_now)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def scan_now(self) -> None:
        """Write the overdue and expiring notices (staff only; others have nothing to write)."""
        if not self.actor.can_edit:  # the scan's own rule: only staff write
            return
        from ir_pipeline.clock import local_today
        from ir_pipeline.config import Settings
        from ir_pipeline.notify.scan import scan

        days = Settings.load().expiring_days
        try:
            self.backend.write(scan, actor=self.actor, today=local_today(), expiring_days=days)
        except IrpError as error:
            self.call_from_thread(self.notify, str(error), title="Notices not scanned", severity="warning")

    @work(thread=True, exclusive=True, exit_on_error=False, group="tick")
    def tick_now(self) -> None:
        """Send what is due (staff, single-user database: a team runs ``irp notify deliver --watch``)
        and bring the header's counts up to date."""
        b = self.backend
        if b.actor.can_edit and not b.shared:
            try:
                b.deliver_notices()
            except IrpError as error:
                self.call_from_thread(self.notify, str(error), title="Notices", severity="warning")
                return
        self._read_alerts()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that died of an error nobody foresaw (the scans, the rates) says so, once."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(printable(unexpected(event.worker.error)), title="Not done", severity="error")

    def _changed(self) -> None:
        """After any write (from whichever thread made it): the header's counts again."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread
            self.call_from_thread(self.refresh_alerts)
        else:
            self.refresh_alerts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="alerts")
    def refresh_alerts(self) -> None:
        """The header's counts (overdue follow-ups, notices) for the current user, read now."""
        self._read_alerts()

    def _read_alerts(self) -> None:
        """In a worker thread: count, then show (for the user acting when the count was made)."""
        from ir_pipeline.clock import local_today
        from ir_pipeline.notify.status import alerts

        b = self.backend
        actor = b.actor
        try:
            counts = b.read(alerts, actor=actor, today=local_today())
        except IrpError as error:
            self.call_from_thread(self.notify, str(error), title="Notices", severity="warning")
            return
        if actor == b.actor:  # a switch meanwhile: the new user's own count follows
            self.call_from_thread(self._show_alerts, counts.text())

    @work(thread=True, exclusive=True, exit_on_error=False, group="fx")
    def update_rates_now(self) -> None:
        """Fetch the last week's exchange rates and store them (the palette's command)."""
        from ir_pipeline.fx.update import outcome

        try:
            fetched, report = self.backend.update_rates()
        except IrpError as error:
            self.call_from_thread(
                self.notify, str(error), title="Exchange rates not updated", severity="error", timeout=10
            )
            return
        self.call_from_thread(self._rates_updated, outcome(fetched, report))

    def _rates_updated(self, text: str) -> None:
        self.notify(text, title="Exchange rates", timeout=10)
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    def _show_alerts(self, text: str) -> None:
        self.alerts = text
        self.refresh_breadcrumb()

    def _refresh_title(self) -> None:
        self.refresh_breadcrumb()

    def _who(self) -> str:
        """The user, and the database's own date when it keeps one (the demo stands on the day of
        its press release): every figure on screen is as of that day."""
        as_of = self._backend.as_of if self._backend is not None else None
        return f"{self.actor.name} · {self.actor.role.value}" + (f" · as of {as_of}" if as_of else "")

    def refresh_breadcrumb(self) -> None:
        """The header says where you are: the mode's screen, then each screen opened from it."""
        trail = [s.title or getattr(s, "TITLE", "") for s in self.screen_stack if not s.is_modal]
        trail = [t for t in trail if t]
        where = " › ".join(trail) if len(trail) > 1 else ""  # one screen: its title says it all
        self.sub_title = (
            self._who() + (f" · {where}" if where else "") + (f" · {self.alerts}" if self.alerts else "")
        )

    async def switch_user(self, name: str) -> None:
        try:
            await asyncio.to_thread(self.backend.switch_user, name)
        except IrpError as error:
            self.notify(str(error), severity="error")
            return
        self.alerts = ""  # the previous user's counts are not this user's
        await self.switch_mode("switching")
        for mode in SCREENS:
            await self.remove_mode(mode)
            self.add_mode(mode, _mode(mode))
        self._refresh_title()
        self.refresh_alerts()
        await self.switch_mode(HOME[self.actor.role])
        self.notify(f"Now acting as {self.actor.name} ({self.actor.role.value})")

    # -- navigation ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_path":
            return self.last_path is not None
        if action == "undo":
            return self._undo_available() and not self.screen.is_modal
        if action == "back":
            return len(self.screen_stack) > 1 and not self.screen.is_modal
        return not (action == "show" and parameters and parameters[0] not in self.allowed_modes())

    async def action_show(self, mode: str) -> Screen[object] | None:
        """Go to one of the top-level screens, always its own first page: whatever was opened from
        it (a startup, a deal) is closed, so a number key can never land somewhere else."""
        if mode not in self.allowed_modes():
            self.notify("That screen is not available to you", severity="warning")
            return None
        if self.current_mode != mode:
            await self.switch_mode(mode)
        while len(self.screen_stack) > 1 and not self.screen.is_modal:
            await self.pop_screen()
        self.refresh_breadcrumb()
        return self.screen

    async def action_back(self) -> None:
        """``esc``: one step back on the current screen's stack; never leaves an empty screen."""
        if len(self.screen_stack) > 1 and not self.screen.is_modal:
            await self.pop_screen()
            self.refresh_breadcrumb()

    async def open_in(self, mode: str, configure: Callable[[Screen[object]], None]) -> None:
        """A palette jump: the mode's own screen, shown with ``configure`` applied (a startup picked,
        a filter set), rather than a copy of it stacked somewhere else."""
        screen = await self.action_show(mode)
        if screen is not None:
            configure(screen)

    def action_copy_path(self) -> None:
        if self.last_path:
            self.copy_to_clipboard(self.last_path)
            self.notify(f"Copied: {self.last_path}")

    def action_help(self) -> None:
        """Help for the screen in front: its keys (as they work now) and what it shows."""
        from tui.screens.help import HelpScreen, keys_of

        screen = self.screen
        if isinstance(screen, HelpScreen) or screen.is_modal:
            return
        text = getattr(screen, "HELP", "") or "No help for this screen yet."
        self.push_screen(
            HelpScreen(str(screen.title or screen.TITLE or "ir-pipeline"), text, keys_of(screen))
        )

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


def make_app(*, backend: Backend | None = None, connect: Callable[[], Backend] | None = None) -> IrpApp:
    """The one factory for the CLI and the tests: the backend decides database and user.

    With ``connect`` instead, the app paints its first frame at once and calls ``connect`` in a
    worker to load the database layer and open the database (what ``irp tui`` does).
    """
    return IrpApp(backend, connect=connect)
