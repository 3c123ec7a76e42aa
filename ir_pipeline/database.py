"""Opening a database the way every command does: engine, then schema at head.

A database already at the newest revision (the everyday case) is opened without loading Alembic:
one query reads ``alembic_version`` and compares it with :data:`HEAD_REVISION`, which a test keeps
equal to the head of ``migrations/``. Anything else goes through :func:`migrate.ensure_current`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, translate_errors

#: The newest migration's revision. ``tests/test_migrations.py`` checks it against Alembic's head.
HEAD_REVISION = "0021"


def at_head(engine: Engine) -> bool:
    """Whether the schema is exactly at :data:`HEAD_REVISION` (no Alembic needed to tell)."""
    with translate_errors(str(engine.url)), engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return list(versions) == [HEAD_REVISION]


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` whose schema is at head (unless ``migrate`` is off, for ``irp db``)."""
    if migrate:
        _refuse_an_emptied_database(url)  # before connecting: SQLite's first pragma writes to it
    engine = make_engine(url)
    if migrate:
        try:
            if not at_head(engine):
                from ir_pipeline.migrate import ensure_current

                ensure_current(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


def _refuse_an_emptied_database(url: str) -> None:
    """A SQLite file of zero bytes is a new database to SQLite, and migrating would make it one.
    When irp has backups of it, it was a database that lost its contents (a full disk, a slip):
    refuse, and say how to restore it or start afresh, rather than hide the loss under a new
    empty schema."""
    from ir_pipeline.db import backend_name

    if backend_name(url) != "sqlite":
        return
    from ir_pipeline.backup import newest_backup, sqlite_path
    from ir_pipeline.errors import DatabaseUnavailable, Invalid

    try:
        database = sqlite_path(url)
    except Invalid:  # in memory
        return
    if database.exists() and database.stat().st_size == 0 and (backup := newest_backup(database)):
        raise DatabaseUnavailable(
            f"the database {database} is an empty file, though irp has backups of it: restore the"
            f" newest (irp db restore {backup} --yes), or delete the file to start a new database"
        )
