"""``irp tui``: start the terminal UI (imported lazily, so the rest of ``irp`` never loads Textual)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ir_pipeline.cli.context import cli_context

if TYPE_CHECKING:
    from ir_pipeline.gateway import Backend


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
    if demo and not app.demo:
        app.use_demo()
    # The same identity rules as every other command: the login on PostgreSQL (``--as`` is refused
    # there); on SQLite a registered user's view, or the ``staff`` user.
    if as_user:
        app.as_user = as_user

    def connect() -> Backend:
        # Runs in the app's worker once its first frame is painted: loading SQLAlchemy and opening
        # the database no longer keep an empty terminal waiting.
        from ir_pipeline.gateway import Backend

        return Backend(app.engine, app.actor)

    from tui.app import make_app

    ui = make_app(connect=connect)
    ui.run()
    if ui.return_code:
        raise typer.Exit(ui.return_code)
