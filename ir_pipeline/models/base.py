"""Shared metadata with a naming convention, so migrations name every constraint the same way
on SQLite (batch mode needs names to alter) and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from ir_pipeline.clock import utcnow
from ir_pipeline.models.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata.naming_convention = NAMING_CONVENTION

NAME_LENGTH = 200
SHORT_LENGTH = 80


class Deferred(SQLModel):
    """A table model builds its pydantic validator when something first validates one, not at
    import: rows become models without validation, and every command imports every table."""

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]


class Timestamped(Deferred):
    """When a row was made and last edited; both UTC."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Versioned(Deferred):
    """A row that people edit: ``version`` goes up by one on every update.

    SQLAlchemy adds ``WHERE version = <the version read>`` to every UPDATE, so a write based on a
    stale read fails instead of silently overwriting; views carry the version, and an edit that
    names the version it started from is refused when the row has moved on since.
    """

    version: int = Field(default=1, nullable=False, sa_column_kwargs={"server_default": sa.text("1")})

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def table_of(model: type[SQLModel]) -> sa.Table:
    """A table model's Core table, for SQL written without the ORM (bulk writes, grouped reads)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table
