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
HEAD_REVISION = "0013"


def at_head(engine: Engine) -> bool:
    """Whether the schema is exactly at :data:`HEAD_REVISION` (no Alembic needed to tell)."""
    with translate_errors(str(engine.url)), engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return list(versions) == [HEAD_REVISION]


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` whose schema is at head (unless ``migrate`` is off, for ``irp db``)."""
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
