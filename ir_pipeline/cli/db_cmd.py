"""``irp db``: schema migrations, backups and restores, and moving to a team database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from ir_pipeline import audit, migrate
from ir_pipeline.actors import Actor
from ir_pipeline.backup import backup as write_backup
from ir_pipeline.backup import check_backup
from ir_pipeline.backup import restore as restore_backup
from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.guard import confirm_destructive
from ir_pipeline.cli.output import echo, print_json
from ir_pipeline.clock import format_local
from ir_pipeline.database import open_database
from ir_pipeline.db import describe, make_engine, unit_of_work
from ir_pipeline.errors import Invalid
from ir_pipeline.models import AuditAction
from ir_pipeline.text import plural

app = typer.Typer(
    help="Schema migrations, backups, restores and copies (every other command migrates by itself).",
    no_args_is_help=True,
)

Yes = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for scripts).")]


def _migrate(ctx: typer.Context, step: Callable[[Engine, str], None], revision: str) -> None:
    url = cli_context(ctx).settings.database_url
    engine = make_engine(url)
    try:
        step(engine, revision)
        echo(f"{describe(url)} is at {', '.join(migrate.current_revisions(engine)) or 'base'}")
    finally:
        engine.dispose()


@app.command()
def upgrade(ctx: typer.Context, revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Bring the schema up to REVISION (default: head). On PostgreSQL, run it as the owner."""
    _migrate(ctx, migrate.upgrade, revision)


@app.command()
def downgrade(ctx: typer.Context, revision: str, yes: Yes = False) -> None:
    """Take the schema down to REVISION ('base' removes every table and its data).

    Staff only, confirmed, and on SQLite a backup is written first.
    """
    migrate.check_revision(revision)
    confirm_destructive(cli_context(ctx), f"downgrade the schema to {revision!r}", yes=yes)
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
    echo(f"{describe(url)}: {', '.join(now) or 'base (empty)'} ({state})")


@app.command()
def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Where to write it (default: backups/ beside it).")
    ] = None,
) -> None:
    """Write a consistent copy of the SQLite database (SQLite's online backup API)."""
    app_ = cli_context(ctx)
    app_.actor.require_staff("back up the database")
    written = write_backup(app_.settings.database_url, path)
    echo(f"Backup written to {written}")


@app.command()
def restore(ctx: typer.Context, path: Path, yes: Yes = False) -> None:
    """Put a backup back in place of the SQLite database (the current one is backed up first)."""
    from ir_pipeline.backup import MISSING, damage, set_aside

    app_ = cli_context(ctx)
    check_backup(path.expanduser())  # a bad file is refused before anything is asked or written
    url = app_.settings.database_url
    broken = None if app_.is_postgres else damage(url)
    if broken is None:
        actor = app_.actor
        confirm_destructive(app_, f"replace the database with {path}", yes=yes)
    else:  # the file cannot say who may act, nor be backed up: the backup says who, and it is kept
        actor = _actor_in_backup(path.expanduser(), app_.as_user)
        confirm_destructive(
            app_, f"replace the damaged database with {path}", yes=yes, actor=actor, back_up=False
        )
    app_.close()
    if broken == MISSING:
        echo("There was no database file: the backup becomes it", err=True)
    elif broken is not None:
        aside = set_aside(url)
        echo(f"The database was damaged ({broken}); it is kept as {aside}", err=True)
    restore_backup(url, path)
    engine = open_database(app_.settings.database_url)
    try:
        with unit_of_work(engine) as session:
            audit.record_bulk(
                session.connection(),
                actor=actor.name,
                action=AuditAction.RESTORE,
                table_name="*",
                note=f"database restored from {path}",
            )
    finally:
        engine.dispose()
    echo(f"Restored {describe(app_.settings.database_url)} from {path}")


def _actor_in_backup(backup: Path, name: str | None) -> Actor:
    """Who acts, by the one rule (``services.users``), read from a copy of the backup (opening
    the backup itself would write to it)."""
    import shutil
    import tempfile

    from ir_pipeline.db import read_only
    from ir_pipeline.services.users import actor_for, single_user_actor

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "backup.sqlite3"
        shutil.copyfile(backup, copy)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            with read_only(engine) as session:
                return actor_for(session, name) if name else single_user_actor(session)
        finally:
            engine.dispose()


@app.command()
def copy(
    ctx: typer.Context,
    to: Annotated[
        str | None, typer.Option("--to", help="Copy this database into the empty one at URL.")
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Copy the database at URL into this (empty) one.")
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Copy every record, ids kept, into an empty database; verify counts and the funnel."""
    from ir_pipeline.dbcopy import copy_database

    app_ = cli_context(ctx)
    if (to is None) == (from_ is None):
        raise Invalid("say where to copy: --to URL (from this database) or --from URL (into it)")
    app_.actor.require_staff("copy the database")
    here = app_.settings.database_url
    source_url, target_url = (here, to) if to is not None else (from_, here)
    assert source_url is not None and target_url is not None
    source = open_database(source_url)
    target = open_database(target_url)
    try:
        report = copy_database(source, target)
    finally:
        source.dispose()
        target.dispose()
    if json:
        print_json(
            {
                "source": describe(source_url),
                "target": describe(target_url),
                "counts": report.counts,
                "as_of": report.as_of,
                "changed_meanwhile": report.changed_meanwhile,
            }
        )
        return
    rows = sum(report.counts.values())
    when = format_local(report.as_of) if report.as_of else "the start"
    echo(
        f"Copied {rows:,} rows from {describe(source_url)} as of {when} to {describe(target_url)};"
        " counts and funnel match"
    )
    if report.changed_meanwhile:
        tables = ", ".join(f"{name} ({n:+,} rows)" for name, n in sorted(report.changed_meanwhile.items()))
        echo(
            f"warning: the source changed while it was copied ({tables}): those changes are not in the"
            " copy. Stop every writer (irp tui, irp notify deliver --watch, scripts) and copy again"
            " into a new empty database",
            err=True,
        )
    _say_who_cannot_log_in(target_url)


def _say_who_cannot_log_in(url: str) -> None:
    """Users arrive as rows, not as logins: on PostgreSQL, say who needs one and how."""
    from ir_pipeline.db import read_only
    from ir_pipeline.services.users import users_without_login

    engine = open_database(url)
    try:
        with read_only(engine) as session:
            missing = users_without_login(session)
    finally:
        engine.dispose()
    if missing:
        names = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        echo(
            f"{plural(len(missing), 'user')} cannot log in there yet ({names}): as its owner, give each"
            " a login with `printf '%s' \"$PW\" | irp user login NAME --password-stdin`"
        )


@app.command()
def check(ctx: typer.Context, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Whether the database file is whole (SQLite's own check) and, if not, what to do.

    Exit code 1 when it is damaged. PostgreSQL checks its own pages: use pg_amcheck there.
    """
    from ir_pipeline.backup import damage, newest_backup, sqlite_path
    from ir_pipeline.errors import DatabaseUnavailable

    app_ = cli_context(ctx)
    url = app_.settings.database_url
    if app_.is_postgres:
        raise Invalid("PostgreSQL checks its own pages: run pg_amcheck on the server (as its superuser)")
    broken = damage(url)
    latest = newest_backup(sqlite_path(url))
    if json:
        print_json({"database": describe(url), "damaged": broken, "newest_backup": latest and str(latest)})
        if broken:
            raise typer.Exit(1)
        return
    if broken is None:
        echo(f"{describe(url)} is whole (SQLite's check: ok)")
        return
    hint = (
        f"restore the newest backup: irp db restore {latest} --yes"
        if latest
        else "there is no backup beside it: restore one you keep with irp db restore PATH --yes"
    )
    raise DatabaseUnavailable(f"{describe(url)} is damaged ({broken}): {hint} (the damaged file is kept)")


@app.command("check-aggregates")
def check_aggregates(
    ctx: typer.Context,
    repair: Annotated[
        bool, typer.Option("--repair", help="Replace wrong totals with recomputed ones.")
    ] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute the funnel's running totals from the base rows and report any difference.

    Exit code 1 when a total differs (without --repair). --repair is staff only: it adds the
    difference to each wrong total.
    """
    from ir_pipeline.summaries import check

    app_ = cli_context(ctx)
    if repair:
        app_.actor.require_staff("repair the funnel totals")
    with unit_of_work(app_.engine) as session:
        connection = session.connection()
        if repair:
            fixed = check.repair(connection)
            wrong: list[str] = []
        else:
            wrong = [str(m) for m in check.check(connection)]
            stale = check.stale_deals(connection)
            if stale:
                shown = ", ".join(f"#{d}" for d in stale[:10]) + (", …" if len(stale) > 10 else "")
                wrong.append(f"{len(stale)} deal(s) keep an out-of-date last LOI or next follow-up ({shown})")
            fixed = 0
    if json:
        print_json({"differences": wrong, "repaired": fixed})
    elif repair:
        echo(f"repaired {fixed} total(s)" if fixed else "the totals were right: nothing to repair")
    elif not wrong:
        echo("the funnel totals and the deals' kept columns agree with the base rows")
    else:
        for line in wrong[:50]:
            echo(line)
        more = f" ({len(wrong) - 50} more not shown)" if len(wrong) > 50 else ""
        echo(f"{len(wrong)} difference(s){more}: run irp db check-aggregates --repair")
    if wrong:
        raise typer.Exit(1)


@app.command("as-of")
def as_of(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Argument(help="The date this database stands on (YYYY-MM-DD); none: show it.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Run this database on the calendar again.")] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The database's own date: irp takes it as today there (the demo stands on 2018-10-10)."""
    from datetime import date

    from ir_pipeline.clock import set_database_date
    from ir_pipeline.dates import parse_date
    from ir_pipeline.services.database_date import read_as_of, set_as_of

    app_ = cli_context(ctx)
    if day is not None and clear:
        raise Invalid("give a date or --clear, not both")
    if day is not None or clear:
        new: date | None = None if clear else parse_date(day or "", today=app_.today, field="date")
        with app_.write() as session:
            set_as_of(session, actor=app_.actor, day=new)
        set_database_date(new)
    with app_.read() as session:
        current = read_as_of(session.connection())
    if json:
        print_json({"database": describe(app_.settings.database_url), "as_of": current})
        return
    echo(
        f"{describe(app_.settings.database_url)} stands on {current}: irp takes that day as today there"
        if current
        else f"{describe(app_.settings.database_url)} runs on the calendar (today is today)"
    )
