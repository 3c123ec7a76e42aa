"""Entry point of ``irp``: global options, command groups, and the exit-code contract.

Exit 0 on success, 1 on a domain or validation error (one line on stderr), 2 on usage errors
(Click's own), 3 when an edit started from a version that someone else has changed since.
Domain errors are caught once, in :class:`IrpGroup`, for every subcommand.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ir_pipeline.cli.lazy import BY_NAME, COMMANDS, LazyCommand
from ir_pipeline.errors import IrpError


class IrpGroup(TyperGroup):
    """The root: subcommands loaded when used (see :mod:`ir_pipeline.cli.lazy`), and domain errors
    from any of them turned into one line on stderr and their exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [entry.name for entry in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> LazyCommand | None:
        entry = BY_NAME.get(cmd_name)
        return LazyCommand(entry) if entry is not None else None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Refuse arguments that are not text (bytes the terminal's encoding could not decode,
        which Python keeps as lone surrogates): one line, before any command sees them."""
        for number, arg in enumerate(args, start=1):
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                from ir_pipeline.cli.plain import echo

                shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
                echo(
                    f"irp: argument {number} ({shown}) is not valid text: type it again in UTF-8",
                    err=True,
                )
                ctx.exit(1)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except IrpError as error:
            from ir_pipeline.cli.plain import echo

            echo(f"irp: {error}", err=True)
            ctx.exit(error.exit_code)
        except OSError as error:  # a file the user named cannot be read or written: theirs to fix
            from ir_pipeline.cli.plain import echo

            where = f"{error.filename}: " if error.filename else ""
            echo(f"irp: {where}{error.strerror or error}", err=True)
            ctx.exit(1)
        finally:
            close = getattr(ctx.obj, "close", None)
            if callable(close):
                close()


app = typer.Typer(
    cls=IrpGroup,
    name="irp",
    help="ir-pipeline: run an IR fundraising pipeline from the pitch to the money in the bank.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Click's plain help: Typer's Rich help loads Rich and Markdown first (a sixth of a second
    # before `irp --help` prints anything); every command's own help is plain too
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default: IRP_DATABASE_URL, else a SQLite file in the user data dir)."
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this user (default: IRP_USER, else the 'staff' user)."),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Use the demo database (its own file, loaded with the demo on first use)."
        ),
    ] = False,
) -> None:
    from ir_pipeline.cli.context import CliContext
    from ir_pipeline.config import Settings

    if demo and db:
        raise typer.BadParameter("--demo and --db name two databases: choose one", param_hint="--demo")
    ctx.obj = CliContext(settings=Settings.load(db), as_user=as_user or os.environ.get("IRP_USER"))
    if demo:
        ctx.obj.use_demo()


def main() -> None:
    app()
