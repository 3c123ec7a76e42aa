"""``irp user``: who can open the TUI as whom."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import print_json, print_table, table
from ir_pipeline.enums import Role, parse_choice
from ir_pipeline.queries.records import list_users
from ir_pipeline.services.users import create_user

app = typer.Typer(help="Users: staff edit, managers read all, startups read their own.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users and their roles."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        rows = list_users(session, actor=app_.actor)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Role", "Startup", right=("#",))
    for u in rows:
        t.add_row(str(u.id), u.name, u.role.value, u.startup or "")
    print_table(t)


@app.command()
def add(
    ctx: typer.Context,
    name: str,
    role: Annotated[str, typer.Option(help="staff, manager or startup.")],
    startup: Annotated[str | None, typer.Option(help="The startup of a startup user.")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a user."""
    app_ = cli_context(ctx)
    value = parse_choice(Role, role, what="role")
    with app_.write() as session:
        names = resolve_names(session, startup=startup)
        view = create_user(session, actor=app_.actor, name=name, role=value, startup_id=names.startup_id)
    print_json(view) if json else typer.echo(f"User {view.name} ({view.role.value})")
