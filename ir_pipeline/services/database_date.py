"""A database's own date (``database_info.as_of``): read it, follow it, set it.

The demo is dated the day of the press release; irp treats that day as today for that database,
so its story holds whenever it is opened. Whoever opens a database for a person (the CLI's
context, the TUI's backend) calls :func:`follow`; nothing else sets the clock.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ir_pipeline import clock
from ir_pipeline.actors import Actor
from ir_pipeline.errors import Invalid
from ir_pipeline.models.base import table_of
from ir_pipeline.models.info import DatabaseInfo

#: The earliest and latest dates a database may be set to (what a date field accepts elsewhere).
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def read_as_of(connection: sa.Connection) -> date | None:
    """The database's own date, or ``None`` when it runs on the calendar."""
    info = table_of(DatabaseInfo)
    day = connection.execute(sa.select(info.c.as_of).where(info.c.id == 1)).scalar_one_or_none()
    return day if isinstance(day, date) else None


def read_identity(connection: sa.Connection) -> str:
    """The database's UUID (``database_info.identity``, written when it was created)."""
    info = table_of(DatabaseInfo)
    identity = connection.execute(sa.select(info.c.identity).where(info.c.id == 1)).scalar_one_or_none()
    if not identity:
        raise Invalid(
            "this database has no identity row: run `irp db upgrade` to bring it to the latest schema"
        )
    return str(identity)


def renew_identity(session: Session, *, actor: Actor) -> None:
    """A new UUID for a database whose rows were all erased (``irp demo --force``): its new rows
    are not the old ones, and a calendar must not take one for the other. Its date is kept."""
    from ir_pipeline.services.common import start_write

    start_write(session, actor, "renew the database's identity")
    row = session.get(DatabaseInfo, 1, with_for_update=True)
    if row is None:
        session.add(DatabaseInfo(id=1))
    else:
        row.identity = str(uuid.uuid4())
        session.add(row)
    session.flush()


def follow(engine: Engine) -> date | None:
    """Read the database's own date and make it today for this process (or stop doing so)."""
    with engine.connect() as connection:
        day = read_as_of(connection)
    clock.set_database_date(day)
    return day


def set_as_of(session: Session, *, actor: Actor, day: date | None) -> None:
    """Date the database (``None``: back to the calendar). Staff only; one row, kept."""
    from ir_pipeline.services.common import start_write

    start_write(session, actor, "set the database's date")
    if day is not None and not EARLIEST <= day <= LATEST:
        raise Invalid(f"a database's date is between {EARLIEST} and {LATEST}, not {day}", field="as_of")
    row = session.get(DatabaseInfo, 1, with_for_update=True)
    if row is None:
        session.add(DatabaseInfo(id=1, as_of=day))
    else:
        row.as_of = day
        session.add(row)
    session.flush()
