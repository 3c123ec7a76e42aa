"""Alembic environment: the schema is ``SQLModel.metadata``; SQLite is altered in batch mode.

Called two ways: by ``irp`` (which hands over an open connection in ``config.attributes``) and by
the ``alembic`` command line (which uses ``IRP_DATABASE_URL`` or the default database).
"""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy import Connection

from ir_pipeline import name_index
from ir_pipeline.config import Settings
from ir_pipeline.db import make_engine
from ir_pipeline.models import complete_metadata
from ir_pipeline.summaries.contributions import RANK_INDEX

target_metadata = complete_metadata()


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave out the trigram indexes (``ir_pipeline.name_index``) and the rank cells' index
    (migration 0020), which live outside the metadata."""
    outside = name_index.is_index_object(name) or name == RANK_INDEX
    return not (reflected and compare_to is None and outside)


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=False,
        include_object=include_object,
    )
    with context.begin_transaction(), warnings.catch_warnings():
        # SQLAlchemy cannot reflect the rank cells' expression index on SQLite, says so, and
        # leaves it out; include_object leaves it out of the comparison on either database
        warnings.filterwarnings(
            "ignore", f"Skipped unsupported reflection of expression-based index {RANK_INDEX}"
        )
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = make_engine(Settings.load().database_url)
    try:
        with engine.connect() as conn:
            run_with(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=Settings.load().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
