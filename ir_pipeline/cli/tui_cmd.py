"""``irp tui``: start the terminal UI (imported lazily, so the rest of ``irp`` never loads Textual)."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.actors import Actor
from ir_pipeline.cli.context import cli_context
from ir_pipeline.config import demo_database_url
from ir_pipeline.database import open_database
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.demo import load_demo
from ir_pipeline.gateway import Backend
from ir_pipeline.queries.records import has_data
from ir_pipeline.services.users import actor_for


def tui(
    ctx: typer.Context,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Open as this user (role decides what you see).")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Use the demo database (its own file; loaded with the demo set on first use)."
        ),
    ] = False,
) -> None:
    """Open the terminal UI."""
    app = cli_context(ctx)
    if not demo:
        # The same identity rules as every other command: the login on PostgreSQL (``--as`` is
        # refused there), a registered user's view or the local operator (staff) on SQLite.
        if as_user:
            app.as_user = as_user
        actor: Actor | None = app.actor
        backend = Backend(app.engine, actor)
        from tui.app import make_app

        make_app(backend=backend).run()
        return
    engine = open_database(demo_database_url())
    try:
        with unit_of_work(engine) as session:
            if not has_data(session):
                load_demo(session, today=app.today)
        # The demo opens as its staff user.
        with read_only(engine) as session:
            actor = actor_for(session, as_user or app.as_user or "staff")
        from tui.app import make_app

        make_app(backend=Backend(engine, actor)).run()
    finally:
        engine.dispose()
