"""Time: stored in UTC, shown in the local zone.

A single place to ask for "now" lets tests and snapshots pin the clock (``IRP_TODAY``) without
patching library internals, and lets a database carry its own date: the demo is the programme as
it stood on the day of the press release (2018-10-10), so its follow-ups fall due around that day
and its LOIs are still valid. Whoever opens a database (``irp``'s context, the TUI's backend)
calls :func:`set_database_date` with that database's "as of" date, or ``None``; it then is today
for every figure, due date and timestamp, ahead of ``IRP_TODAY``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

#: The open database's own date (``database_info.as_of``), when it has one.
_database_date: date | None = None


def set_database_date(day: date | None) -> None:
    """Make ``day`` today for this process (the database it works on says so), or stop that."""
    global _database_date
    _database_date = day


@contextmanager
def dated(day: date) -> Iterator[None]:
    """Today is ``day`` for the block, then what it was (the demo writes its story on its dates)."""
    before = _database_date
    set_database_date(day)
    try:
        yield
    finally:
        set_database_date(before)


def database_date() -> date | None:
    """The open database's own date, if it keeps one (shown in the TUI's header)."""
    return _database_date


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC; pinned to noon of ``IRP_TODAY`` when set.

    On a database with its own date, the instant is that date at the local time of day (noon when
    ``IRP_TODAY`` pins the clock), so what is recorded there in one sitting keeps its order."""
    pinned = os.environ.get("IRP_TODAY")
    if _database_date is not None:
        if pinned:
            return datetime.combine(_database_date, time(12, 0), tzinfo=UTC)
        local = datetime.now().astimezone()
        return datetime.combine(_database_date, local.timetz()).astimezone(UTC)
    if pinned:
        return datetime.combine(date.fromisoformat(pinned), time(12, 0), tzinfo=UTC)
    return datetime.now(UTC)


def wall_clock() -> datetime:
    """The real instant, never pinned: for what another machine checks against its own clock
    (a webhook signature's timestamp must be within minutes of the receiver's)."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date where the user is: due dates and overdue are calendar questions."""
    if _database_date is not None:
        return _database_date
    pinned = os.environ.get("IRP_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now().astimezone().date()


def to_local(moment: datetime) -> datetime:
    """Convert a stored UTC instant to the user's zone for display."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed: store UTC-aware instants")
    return moment.astimezone()


def format_local(moment: datetime | None) -> str:
    return "" if moment is None else to_local(moment).strftime("%Y-%m-%d %H:%M")


def local_noon(day: date) -> datetime:
    """A day given as a date (a file's stage date, a funding's day) as an instant: noon where the
    user is, in UTC, so the local date read back from it is that day again."""
    return datetime.combine(day, time(12)).astimezone().astimezone(UTC)
