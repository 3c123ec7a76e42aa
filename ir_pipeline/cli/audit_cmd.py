"""``irp audit``: who changed what, when (staff and managers)."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import print_json, print_table, table
from ir_pipeline.clock import format_local
from ir_pipeline.dates import parse_date
from ir_pipeline.queries.audit import list_audit


def audit(
    ctx: typer.Context,
    deal: Annotated[
        int | None, typer.Option(help="Only this deal and its LOIs, follow-ups, fundings.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Only changes by this user.")] = None,
    since: Annotated[str | None, typer.Option(help="Only changes on or after this date.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 200,
    before: Annotated[int | None, typer.Option(help="Continue below this audit id (next page).")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The audit trail, newest first: one row per change, never edited or deleted."""
    app_ = cli_context(ctx)
    day = parse_date(since, today=app_.today, field="since") if since else None
    with app_.read() as session:
        rows = list_audit(
            session, actor=app_.actor, deal_id=deal, user=user, since=day, before_id=before, limit=limit
        )
    if json:
        print_json(rows)
        return
    t = table("#", "When", "By", "Action", "Record", "Field", "Old", "New", right=("#",))
    for r in rows:
        t.add_row(
            str(r.id),
            format_local(r.at),
            r.actor,
            r.action.value,
            f"{r.table} #{r.record_id}" if r.record_id is not None else r.table,
            r.field or "",
            r.old_value or "",
            r.new_value or "",
        )
    print_table(t)
