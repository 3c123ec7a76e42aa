"""The command palette: one provider offering what makes sense on the current screen and role.

Jump to a startup, an investor or a deal; switch screen; switch user; new LOI; new follow-up.
Every database search runs in a thread and goes through the role-scoped queries, so a startup
user is only ever offered its own company and its own deals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ir_pipeline.enums import Role
from ir_pipeline.errors import IrpError
from ir_pipeline.lookup import deal_number
from ir_pipeline.queries.deals import DealFilter, get_deal_row, list_deals
from ir_pipeline.queries.records import list_investors, list_startups, list_users
from ir_pipeline.text import plural
from tui.format import highlighted

if TYPE_CHECKING:
    from tui.app import IrpApp

RESULTS = 8


class IrpCommands(Provider):
    @property
    def irp(self) -> IrpApp:
        from tui.app import IrpApp

        assert isinstance(self.app, IrpApp)
        return self.app

    # -- static commands -------------------------------------------------------------------

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from tui.app import SCREENS

        app = self.irp
        commands: list[tuple[str, Callable[[], object], str]] = []
        for mode in app.allowed_modes():
            title = SCREENS[mode][0]
            commands.append(
                (
                    f"Go to {title}",
                    partial(app.run_action, f"show('{mode}')"),
                    f"Switch to the {title} screen",
                )
            )
        login = app.backend.login
        if not app.backend.shared and login.name != app.actor.name:
            commands.append(
                (
                    f"Switch back to {login.name}",
                    partial(self._switch_user, login.name),
                    f"Return to the user this session started as ({login.role.value})",
                )
            )
        commands.append(("Export…", self._export, "Write startups, deals, LOIs, … to CSV, XLSX or JSON"))
        if app.actor.can_edit:
            commands.append(
                ("Import a spreadsheet…", self._import, "CSV or XLSX; all or nothing, dry run first")
            )
            commands.append(("New LOI", self._new_loi, "Record an LOI for a startup and an investor"))
            commands.append(
                ("Notifications", self._notifications, "Endpoints, the latest deliveries; test, retry")
            )
            commands.append(
                (
                    "Update exchange rates",
                    self.irp.update_rates_now,
                    "Fetch the last week's reference rates (IRP_FX_PROVIDER) for converted totals",
                )
            )
            commands.append(
                ("Share links", self._share_links, "The links that work now: what, until when, views")
            )
            startup_id = self._current_startup()
            if startup_id is not None:
                commands.append(
                    (
                        "Share this startup",
                        partial(self._share_startup, startup_id),
                        "A read-only link for its founders (14 days; irp share revoke ends it)",
                    )
                )
            deal_id = self._current_deal()
            if deal_id is not None:
                commands.append(
                    ("New follow-up", partial(self._new_follow_up, deal_id), f"On deal #{deal_id}")
                )
        return commands

    def _current_deal(self) -> int | None:
        from tui.screens.deal import DealScreen

        screen = self.screen
        return screen.deal_id if isinstance(screen, DealScreen) else None

    def _current_startup(self) -> int | None:
        from tui.screens.startup import StartupScreen

        screen = self.screen
        return screen.startup_id if isinstance(screen, StartupScreen) else None

    def _share_links(self) -> None:
        from ir_pipeline.clock import format_local
        from ir_pipeline.services.share_links import list_links

        app = self.irp
        b = app.backend

        def read() -> None:
            try:
                links = b.read(list_links, actor=b.actor, live_only=True)
            except IrpError as error:
                app.call_from_thread(app.notify, str(error), severity="error")
                return
            lines = [
                f"#{k.id} {k.kind.value}: {k.name} · until {format_local(k.expires_at)}"
                f" · {plural(k.views, 'view')}"
                for k in links[:8]
            ]
            more = [f"… and {len(links) - 8} more (irp share list)"] if len(links) > 8 else []
            text = "\n".join(lines + more) or "No live share links (Share this startup, or irp share)."
            app.call_from_thread(app.notify, text, title=f"{plural(len(links), 'live link')}", timeout=15)

        app.run_worker(read, thread=True, group="share", exit_on_error=False)

    def _share_startup(self, startup_id: int) -> None:
        from ir_pipeline.config import share_base_url
        from ir_pipeline.enums import ShareKind
        from ir_pipeline.services.share_links import create_link

        app = self.irp
        b = app.backend

        def make() -> None:
            try:
                base = share_base_url()
                made = b.write(
                    create_link, actor=b.actor, kind=ShareKind.STARTUP, name="", target_id=startup_id
                )
            except IrpError as error:
                app.call_from_thread(app.notify, str(error), severity="error")
                return
            url = f"{base}/share/{made.token}"

            def show() -> None:
                app.last_path = url  # y copies it: shown once, irp keeps only its hash
                app.notify(f"{url}\ny copies it; shown once (link #{made.id})", title=made.name, timeout=30)
                app.refresh_bindings()

            app.call_from_thread(show)

        app.run_worker(make, thread=True, group="share", exit_on_error=False)

    def _notifications(self) -> None:
        from tui.screens.notifications import NotificationsScreen

        self.irp.push_screen(NotificationsScreen())

    def _new_loi(self) -> None:
        from tui.actions import open_new_loi_form

        open_new_loi_form(self.irp, self.irp.backend)

    def _import(self) -> None:
        from tui.actions import open_import_form

        open_import_form(self.irp)

    def _export(self) -> None:
        from ir_pipeline.io.export import export
        from tui.forms.transfer import ExportDone, ExportForm, ExportRequest

        app = self.irp
        b = app.backend

        def save(request: ExportRequest) -> ExportDone:
            rows = b.read(export, actor=b.actor, kind=request.kind, fmt=request.fmt, out=request.path)
            return ExportDone(rows, request.path.resolve())

        def done(result: ExportDone | None) -> None:
            if result is not None:
                app.last_path = str(result.path)
                app.notify(
                    f"{plural(result.rows, 'row')} exported to {result.path} · y copies the path", timeout=10
                )
                app.refresh_bindings()

        app.push_screen(ExportForm(save), done)

    def _new_follow_up(self, deal_id: int) -> None:
        from tui.actions import open_follow_up_form
        from tui.screens.deal import DealScreen

        screen = self.screen
        if isinstance(screen, DealScreen):
            open_follow_up_form(screen, deal_id)

    async def discover(self) -> Hits:
        for name, command, help_text in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, command, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), command, help=help_text)
        if len(query.strip()) < 1:
            return
        app = self.irp
        b = app.backend
        actor = b.actor
        number = deal_number(query)
        if number is not None:  # "17", "#17", "deal 17": the deal itself first, if it may be seen
            try:
                row = await asyncio.to_thread(b.read, get_deal_row, actor=actor, deal_id=number)
            except IrpError:
                row = None
            if row is not None:
                text = f"Deal #{row.id}: {row.startup} × {row.investor}"
                yield Hit(
                    1.0, highlighted(matcher, text), partial(self._open_deal, row.id), help=row.stage.label
                )
        startups, investors, deals, users = await asyncio.gather(
            asyncio.to_thread(b.read, list_startups, actor=actor, search=query, limit=RESULTS),
            asyncio.to_thread(b.read, list_investors, actor=actor, search=query, limit=RESULTS),
            asyncio.to_thread(b.read, list_deals, actor=actor, flt=DealFilter(search=query), limit=RESULTS),
            asyncio.to_thread(b.read, list_users, actor=actor),
        )
        for s in startups:
            text = f"Startup: {s.name}"
            yield Hit(
                max(matcher.match(text), 0.5),
                highlighted(matcher, text),
                partial(self._open_startup, s.id),
                help="Open the startup view",
            )
        if actor.role is not Role.STARTUP:
            for i in investors:
                text = f"Investor: {i.name}"
                yield Hit(
                    max(matcher.match(text), 0.5),
                    highlighted(matcher, text),
                    partial(self._open_investor, i.id),
                    help="Pipeline filtered to this investor",
                )
        for d in deals.rows:
            text = f"Deal #{d.id}: {d.startup} × {d.investor}"
            yield Hit(
                max(matcher.match(text), 0.4),
                highlighted(matcher, text),
                partial(self._open_deal, d.id),
                help=d.stage.label,
            )
        if not b.shared:  # on a team database the login is the identity
            for u in users:
                if not b.may_switch_to(u):  # never up: staff → manager/startup, manager → startup
                    continue
                text = f"Switch user: {u.name}"
                score = matcher.match(text)
                if score > 0:
                    yield Hit(
                        score,
                        highlighted(matcher, text),
                        partial(self._switch_user, u.name),
                        help=u.role.value,
                    )

    def _open_startup(self, startup_id: int) -> None:
        from tui.screens.startup import StartupScreen

        def pick(screen: object) -> None:
            if isinstance(screen, StartupScreen):
                screen.choose(startup_id)

        self.irp.run_worker(self.irp.open_in("startup", pick), group="jump")

    def _open_investor(self, investor_id: int) -> None:
        from tui.screens.pipeline import PipelineScreen

        def narrow(screen: object) -> None:
            if isinstance(screen, PipelineScreen):
                screen.filter_investor(investor_id)

        self.irp.run_worker(self.irp.open_in("pipeline", narrow), group="jump")

    def _open_deal(self, deal_id: int) -> None:
        from tui.screens.deal import DealScreen

        self.irp.push_screen(DealScreen(deal_id))

    def _switch_user(self, name: str) -> None:
        self.irp.run_worker(self.irp.switch_user(name), exclusive=True, group="switch-user")
