"""What a database says about itself: one row.

``as_of`` is the database's own date, when it keeps one: the demo is the programme as it stood on
the day of the press release, so it is dated 2018-10-10, and irp treats that day as today for
that database (:mod:`ir_pipeline.clock`). A working database has none and runs on the calendar.

``identity`` is a UUID the database gets when it is created (migration 0016 writes the row) and
keeps through ``irp db copy``: what tells its calendar events from another database's.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.models.base import Deferred


class DatabaseInfo(Deferred, table=True):
    __tablename__ = "database_info"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: int = Field(default=1, primary_key=True)
    as_of: date | None = Field(default=None)
    identity: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=36)
