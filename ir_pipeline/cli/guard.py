"""Destructive commands: staff only, confirmed on a terminal (``--yes`` for scripts), and on
SQLite preceded by a backup written with the online backup API."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ir_pipeline.actors import Actor
from ir_pipeline.backup import backup
from ir_pipeline.cli.context import CliContext
from ir_pipeline.cli.output import echo
from ir_pipeline.db import describe
from ir_pipeline.errors import Invalid


def confirm_destructive(
    app: CliContext, what: str, *, yes: bool, actor: Actor | None = None, back_up: bool = True
) -> Path | None:
    """Check who asks, ask them, and back up; returns the backup's path (SQLite only).

    Nothing has changed when this raises: the role is checked before the question, and the
    question before the backup. ``actor`` is who asks when the database itself cannot say (a
    damaged file, which is also not backed up: ``back_up=False``).
    """
    (actor or app.actor).require_staff(what)
    where = describe(app.settings.database_url)
    if not yes:
        if not sys.stdin.isatty():
            raise Invalid(f"{what} needs confirmation: run it on a terminal, or add --yes")
        safety = "take a pg_dump first" if app.is_postgres else "a backup is written first"
        if not typer.confirm(f"{what} in {where} ({safety}). Continue?", default=False):
            raise Invalid("cancelled: nothing changed")
    if app.is_postgres or not back_up:
        return None
    path = backup(app.settings.database_url)
    echo(f"Backup written to {path}", err=True)
    return path
