"""Opening a database the way every command does: engine, then schema at head."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine
from ir_pipeline.migrate import ensure_current


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` whose schema is at head (unless ``migrate`` is off, for ``irp db``)."""
    engine = make_engine(url)
    if migrate:
        try:
            ensure_current(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine
