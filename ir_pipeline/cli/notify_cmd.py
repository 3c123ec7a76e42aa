"""``irp notify``: the notices the team is sent (the outbox), and the scan that finds the ones time
makes (overdue follow-ups, LOIs about to expire)."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo, print_json, print_table, table
from ir_pipeline.clock import format_local
from ir_pipeline.errors import Invalid
from ir_pipeline.notify.events import TYPES
from ir_pipeline.notify.scan import scan as scan_service
from ir_pipeline.queries.notices import list_notices
from ir_pipeline.text import plural

app = typer.Typer(
    help="Notices for the team: what was written to the outbox, and the scan for overdue follow-ups.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def scan(
    ctx: typer.Context,
    expiring_days: Annotated[
        int | None,
        typer.Option(
            min=0, max=366, help="Warn of LOIs whose validity ends within this many days (default 7)."
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Write one notice per follow-up gone overdue and per LOI about to expire, once each."""
    app_ = cli_context(ctx)
    days = app_.settings.expiring_days if expiring_days is None else expiring_days
    with app_.write() as session:
        report = scan_service(session, actor=app_.actor, today=app_.today, expiring_days=days)
    if json:
        print_json(report)
        return
    echo(
        f"{plural(report.overdue, 'overdue follow-up')}, "
        f"{plural(report.expiring, 'LOI')} expiring within {days} days: notices written"
    )


@app.command()
def events(
    ctx: typer.Context,
    type: Annotated[str | None, typer.Option(help="Only this type, e.g. loi.received.")] = None,
    deal: Annotated[int | None, typer.Option(help="Only this deal's notices.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    before: Annotated[int | None, typer.Option(help="Continue below this notice id (next page).")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The notices written so far, newest first (staff and managers)."""
    if type is not None and type not in TYPES:
        raise Invalid(f"unknown notice type {type!r}; one of: {', '.join(TYPES)}")
    app_ = cli_context(ctx)
    with app_.read() as session:
        rows = list_notices(session, actor=app_.actor, type=type, deal_id=deal, before_id=before, limit=limit)
    if json:
        print_json(rows)
        return
    t = table("#", "When", "Type", "By", "Summary", right=("#",))
    for r in rows:
        t.add_row(str(r.id), format_local(r.created_at), r.type, r.actor, r.summary)
    print_table(t)
