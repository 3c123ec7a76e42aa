"""``irp demo``: load the WSCW 2018 demo set."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.guard import confirm_destructive
from ir_pipeline.cli.output import echo, print_json
from ir_pipeline.db import describe
from ir_pipeline.demo import start_demo
from ir_pipeline.errors import Conflict
from ir_pipeline.money import format_both
from ir_pipeline.queries.records import has_data
from ir_pipeline.services.users import require_admin
from ir_pipeline.text import plural


def demo(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Erase everything in the database first, then load the demo.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before erasing (for scripts).")] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load the World Smart City Week 2018 demo: 8 startups, 26 LOIs, 171억 5천만 원."""
    app = cli_context(ctx)
    actor = app.actor  # an unknown or disabled user is refused before anything is read or written
    with app.read() as session:
        require_admin(session, actor, "load the demo")  # on PostgreSQL: it records users
        occupied = has_data(session)
    if occupied:
        if not force:
            raise Conflict(
                f"{describe(app.settings.database_url)} already holds data: "
                "use --force to erase it and load the demo, or --db to choose another database"
            )
        confirm_destructive(app, "erase every record and load the demo", yes=yes)
    with app.write() as session:
        if not occupied and has_data(session):
            raise Conflict("someone added data meanwhile: nothing was erased; run the command again")
        summary = start_demo(session, actor=actor, erase=occupied)
    if json:
        print_json(summary)
        return
    echo(
        f"Loaded demo '{summary.event}': {plural(summary.startups, 'startup')}, "
        f"{plural(summary.investors, 'investor')}, {plural(summary.lois, 'LOI')}, "
        f"{format_both(summary.total)}"
    )
    echo(f"Users: {', '.join(summary.users)} (try: irp --as manager funnel)")
    echo(
        f"The demo stands on {summary.as_of} (the press release's day): irp takes that day as today"
        " for this database (irp db as-of --clear to run it on the calendar)"
    )
