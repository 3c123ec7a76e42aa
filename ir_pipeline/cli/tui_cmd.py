"""``irp tui``: start the terminal UI (imported lazily, so the rest of ``irp`` never loads Textual)."""

from __future__ import annotations

from typing import Annotated

import typer

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
    url = demo_database_url() if demo else app.settings.database_url
    engine = open_database(url)
    try:
        if demo:
            with unit_of_work(engine) as session:
                if not has_data(session):
                    load_demo(session, today=app.today)
        # The demo opens as its staff user; elsewhere the person at the terminal acts as staff.
        name = as_user or app.as_user or ("staff" if demo else None)
        with read_only(engine) as session:
            actor = actor_for(session, name) if name else None
        from tui.app import make_app

        make_app(backend=Backend(engine, actor)).run()
    finally:
        engine.dispose()
