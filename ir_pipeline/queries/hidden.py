"""Columns a reader may not load: for a startup, staff's internal notes and reasons.

The columns are named once, in :data:`ir_pipeline.rights.STARTUP_HIDDEN`, which also decides
PostgreSQL's column grants; queries that load whole rows for a startup defer those columns with
``raiseload``, so on either backend reading one by mistake is an error, never a leak (and on
PostgreSQL the database would refuse the ``SELECT`` anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import defer

from ir_pipeline.actors import Actor
from ir_pipeline.rights import STARTUP_HIDDEN


def hidden_from(actor: Actor, *models: Any) -> list[Any]:
    """Loader options that leave out what ``actor`` may not read of each model's rows."""
    if actor.reads_internal:
        return []
    return [
        defer(getattr(model, name), raiseload=True)
        for model in models
        for name in STARTUP_HIDDEN.get(model.__tablename__, ())
    ]
