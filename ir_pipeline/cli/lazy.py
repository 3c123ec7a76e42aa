"""Subcommands loaded when used, so ``irp --help`` (and every command) starts fast.

``irp`` has twenty subcommands over the database layer, the importers and the UI. Importing them
all up front cost about a second before anything happened. The root group lists them from the
table below (name, where it lives, one line of help) and imports a command's module only when
that command runs or shows its own help. A test checks every line of help here against the
command's own, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    target: str  # "module:attribute": a Typer app (a group) or a command function
    help: str


#: In the order ``irp --help`` lists them.
COMMANDS: tuple[Entry, ...] = (
    Entry(
        "demo",
        "ir_pipeline.cli.demo_cmd:demo",
        "Load the World Smart City Week 2018 demo: 8 startups, 26 LOIs, 171억 5천만 원.",
    ),
    Entry(
        "funnel",
        "ir_pipeline.cli.funnel_cmd:funnel",
        "LOI totals, deals and amounts per stage, conversion and drop-off.",
    ),
    Entry(
        "followups",
        "ir_pipeline.cli.followup_cmd:queue",
        "The follow-up queue: overdue first, then due today, then upcoming, a page at a time.",
    ),
    Entry(
        "import",
        "ir_pipeline.cli.import_cmd:import_",
        "Import events, startups, investors, contacts, deals, LOIs, fundings or follow-ups.",
    ),
    Entry(
        "export",
        "ir_pipeline.cli.export_cmd:export_",
        "Export what you may see: CSV with BOM for Excel, typed XLSX, or JSON.",
    ),
    Entry(
        "audit",
        "ir_pipeline.cli.audit_cmd:audit",
        "The audit trail, newest first: one row per change, never edited or deleted.",
    ),
    Entry("tui", "ir_pipeline.cli.tui_cmd:tui", "Open the terminal UI."),
    Entry(
        "db",
        "ir_pipeline.cli.db_cmd:app",
        "Schema migrations, backups, restores and copies (every other command migrates by itself).",
    ),
    Entry("deal", "ir_pipeline.cli.deal_cmd:app", "Deals: one startup × one investor."),
    Entry("loi", "ir_pipeline.cli.loi_cmd:app", "Letters of intent (투자검토 의향서)."),
    Entry(
        "followup", "ir_pipeline.cli.followup_cmd:app", "Add, complete, cancel, reopen or snooze a follow-up."
    ),
    Entry(
        "funding", "ir_pipeline.cli.funding_cmd:app", "Record funding received (moves the deal to funded)."
    ),
    Entry("event", "ir_pipeline.cli.records_cmd:event_app", "IR events (투자 설명회)."),
    Entry("startup", "ir_pipeline.cli.records_cmd:startup_app", "Startups."),
    Entry("investor", "ir_pipeline.cli.records_cmd:investor_app", "Investors."),
    Entry("contact", "ir_pipeline.cli.records_cmd:contact_app", "People at investors and startups."),
    Entry("pitch", "ir_pipeline.cli.records_cmd:pitch_app", "Startups pitching at events."),
    Entry(
        "user",
        "ir_pipeline.cli.user_cmd:app",
        "Users: staff edit, managers read all, startups read their own.",
    ),
    Entry(
        "notify",
        "ir_pipeline.cli.notify_cmd:app",
        "Notices for the team: the outbox, endpoints (Slack, Teams, JANDI, webhooks) and delivery.",
    ),
    Entry(
        "fx",
        "ir_pipeline.cli.fx_cmd:app",
        "Exchange rates: fetch (Frankfurter/ECB or Bank of Korea ECOS), set by hand, list; rate snapshots.",
    ),
    Entry(
        "report",
        "ir_pipeline.cli.report_cmd:app",
        "One-page reports to forward: Markdown or self-contained HTML.",
    ),
    Entry(
        "share",
        "ir_pipeline.cli.share_cmd:app",
        "Read-only links to a startup or an event, for founders, managers and partners.",
    ),
    Entry(
        "serve",
        "ir_pipeline.cli.serve_cmd:serve",
        "Serve the pages share links open: read-only, one page per live link (irp share).",
    ),
)
BY_NAME = {entry.name: entry for entry in COMMANDS}


def load(entry: Entry) -> TyperCommand | TyperGroup:
    """The real Click command behind an entry (imports its module)."""
    import typer
    import typer.main

    module_name, attribute = entry.target.split(":")
    target = getattr(importlib.import_module(module_name), attribute)
    command: object
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)  # a group even with a single subcommand
    else:
        single = typer.Typer()
        single.command(entry.name)(target)
        command = typer.main.get_command(single)
    assert isinstance(command, TyperCommand | TyperGroup)
    command.name = entry.name
    _plain_help(command)
    return command


def _plain_help(command: TyperCommand | TyperGroup) -> None:
    """Click's plain help and usage errors, like the root's (``irp --help``), for a command and
    everything under it."""
    command.rich_markup_mode = None
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            if isinstance(sub, TyperCommand | TyperGroup):
                _plain_help(sub)


class LazyCommand(TyperCommand):
    """Stands in for a subcommand in the root's listing; becomes the real one when used."""

    def __init__(self, entry: Entry) -> None:
        super().__init__(entry.name, help=entry.help, short_help=entry.help)
        self.entry = entry
        self._real: TyperCommand | TyperGroup | None = None

    @property
    def real(self) -> TyperCommand | TyperGroup:
        if self._real is None:
            self._real = load(self.entry)
        return self._real

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        return self.real.make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        return ctx.command.invoke(ctx)

    def get_params(self, ctx: Any) -> Any:
        return self.real.get_params(ctx)

    def get_help(self, ctx: Any) -> str:
        return self.real.get_help(ctx)
