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

from ir_pipeline.cli import (
    audit_cmd,
    db_cmd,
    deal_cmd,
    demo_cmd,
    export_cmd,
    followup_cmd,
    funding_cmd,
    funnel_cmd,
    import_cmd,
    loi_cmd,
    records_cmd,
    report_cmd,
    tui_cmd,
    user_cmd,
)
from ir_pipeline.cli.context import CliContext
from ir_pipeline.cli.output import echo
from ir_pipeline.config import Settings
from ir_pipeline.errors import IrpError


class IrpGroup(TyperGroup):
    """Turns domain errors from any subcommand into one line on stderr and exit code 1."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except IrpError as error:
            echo(f"irp: {error}", err=True)
            ctx.exit(error.exit_code)
        except OSError as error:  # a file the user named cannot be read or written: theirs to fix
            where = f"{error.filename}: " if error.filename else ""
            echo(f"irp: {where}{error.strerror or error}", err=True)
            ctx.exit(1)
        finally:
            obj = ctx.obj
            if isinstance(obj, CliContext):
                obj.close()


app = typer.Typer(
    cls=IrpGroup,
    name="irp",
    help="ir-pipeline: run an IR fundraising pipeline from the pitch to the money in the bank.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
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
    if demo and db:
        raise typer.BadParameter("--demo and --db name two databases: choose one", param_hint="--demo")
    ctx.obj = CliContext(settings=Settings.load(db), as_user=as_user or os.environ.get("IRP_USER"))
    if demo:
        ctx.obj.use_demo()


app.add_typer(db_cmd.app, name="db")
app.command("demo")(demo_cmd.demo)
app.command("funnel")(funnel_cmd.funnel)
app.add_typer(deal_cmd.app, name="deal")
app.add_typer(loi_cmd.app, name="loi")
app.add_typer(followup_cmd.app, name="followup")
app.command("followups")(followup_cmd.queue)
app.add_typer(funding_cmd.app, name="funding")
app.add_typer(records_cmd.event_app, name="event")
app.add_typer(records_cmd.startup_app, name="startup")
app.add_typer(records_cmd.investor_app, name="investor")
app.add_typer(records_cmd.contact_app, name="contact")
app.add_typer(records_cmd.pitch_app, name="pitch")
app.add_typer(user_cmd.app, name="user")
app.add_typer(report_cmd.app, name="report")
app.command("import")(import_cmd.import_)
app.command("export")(export_cmd.export_)
app.command("audit")(audit_cmd.audit)
app.command("tui")(tui_cmd.tui)


def main() -> None:
    app()
