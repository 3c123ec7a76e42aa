"""``irp user``: who can open the TUI as whom."""

from __future__ import annotations

import shlex
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import echo, print_json, print_table, table
from ir_pipeline.drafts import StartupDraft
from ir_pipeline.enums import Role, label, parse_choice
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.queries.records import list_users
from ir_pipeline.services.records import create_startup
from ir_pipeline.services.users import create_user, give_login, set_user_active
from ir_pipeline.text import plural

app = typer.Typer(
    help="Users: staff edit, managers read all, startups read their own.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("list")
def list_(ctx: typer.Context, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users and their roles."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        rows = list_users(session, actor=app_.actor)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Role", "Startup", "Active", right=("#",))
    for u in rows:
        t.add_row(str(u.id), u.name, label(u.role), u.startup or "", "yes" if u.active else "no")
    print_table(t)


@app.command()
def add(
    ctx: typer.Context,
    name: str,
    role: Annotated[str, typer.Option(help="staff, manager or startup.")],
    startup: Annotated[str | None, typer.Option(help="The startup of a startup user.")] = None,
    new_startup: Annotated[
        bool, typer.Option("--new-startup", help="Create the startup too, if there is none by that name.")
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="PostgreSQL: read the new login's password from stdin."),
    ] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a user (on PostgreSQL also its login role; run it as an admin)."""
    app_ = cli_context(ctx)
    value = parse_choice(Role, role, what="role")
    password = _read_password() if password_stdin else None
    actor = app_.actor
    with app_.write() as session:
        startup_id = _startup_of(session, actor, startup, create=new_startup) if startup else None
        view = create_user(
            session, actor=actor, name=name, role=value, startup_id=startup_id, password=password
        )
    print_json(view) if json else echo(f"User {view.name} ({view.role.value})")


def _startup_of(session: Session, actor: Actor, name: str, *, create: bool) -> int:
    """The startup a startup user belongs to: found by name, or with ``--new-startup`` made in
    the same transaction as the user (so a first set-up needs no staff login yet)."""
    try:
        return resolve_names(session, actor=actor, startup=name).startup_id or 0
    except NotFound:
        if not create:
            raise NotFound(
                f"no startup named {name!r}: add `--new-startup` to create it with the user,"
                f" or add it first with `irp startup add {shlex.quote(name)}`"
            ) from None
    return create_startup(session, actor=actor, draft=StartupDraft(name=name)).id


@app.command()
def login(
    ctx: typer.Context,
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin (required).")
    ] = False,
) -> None:
    """PostgreSQL: give a user a login with a password, or its login a new password (run it as an
    admin). Users copied in by `irp db copy` arrive without logins."""
    app_ = cli_context(ctx)
    if not password_stdin:
        raise Invalid("pipe the password in with --password-stdin (never on the command line)")
    password = _read_password()
    with app_.write() as session:
        view = give_login(session, actor=app_.actor, name=name, password=password)
    echo(f"User {view.name} ({view.role.value}) can log in with that password")


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise Invalid("no password on stdin: pipe it in, e.g. `printf '%s' \"$PW\" | irp user add …`")
    return password


@app.command()
def disable(ctx: typer.Context, name: str, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Disable a user: the history stays, the user can no longer act (PostgreSQL: NOLOGIN)."""
    _set_active(ctx, name, active=False, json=json)


@app.command()
def enable(ctx: typer.Context, name: str, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Enable a disabled user again."""
    _set_active(ctx, name, active=True, json=json)


def _set_active(ctx: typer.Context, name: str, *, active: bool, json: bool) -> None:
    app_ = cli_context(ctx)
    actor = app_.actor
    with app_.write() as session:
        change = set_user_active(session, actor=actor, name=name, active=active)
    view = change.user
    if json:
        print_json({**asdict(view), "sessions_ended": change.sessions_ended})
    elif view.active:
        echo(f"User {view.name} is enabled")
    else:
        ended = f"; {plural(change.sessions_ended, 'open session')} ended" if app_.is_postgres else ""
        echo(f"User {view.name} is disabled{ended}")
