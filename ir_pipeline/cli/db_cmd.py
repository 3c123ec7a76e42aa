"""``irp db``: schema migrations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from ir_pipeline import migrate
from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import print_json
from ir_pipeline.db import describe, make_engine

app = typer.Typer(
    help="Schema migrations (every other command migrates to head by itself).", no_args_is_help=True
)


def _migrate(ctx: typer.Context, step: Callable[[Engine, str], None], revision: str) -> None:
    url = cli_context(ctx).settings.database_url
    engine = make_engine(url)
    try:
        step(engine, revision)
        typer.echo(f"{describe(url)} is at {', '.join(migrate.current_revisions(engine)) or 'base'}")
    finally:
        engine.dispose()


@app.command()
def upgrade(ctx: typer.Context, revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Bring the schema up to REVISION (default: head)."""
    _migrate(ctx, migrate.upgrade, revision)


@app.command()
def downgrade(ctx: typer.Context, revision: str) -> None:
    """Take the schema down to REVISION ('base' removes every table and its data)."""
    _migrate(ctx, migrate.downgrade, revision)


@app.command()
def current(ctx: typer.Context, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show the database's schema revision and the newest this version knows."""
    url = cli_context(ctx).settings.database_url
    engine = make_engine(url)
    try:
        now = migrate.current_revisions(engine)
        heads = migrate.head_revisions()
    finally:
        engine.dispose()
    if json:
        print_json(
            {
                "database": describe(url),
                "current": list(now),
                "head": list(heads),
                "up_to_date": set(now) == set(heads),
            }
        )
        return
    state = "up to date" if set(now) == set(heads) else f"head is {', '.join(heads)}"
    typer.echo(f"{describe(url)}: {', '.join(now) or 'base (empty)'} ({state})")
