"""Time: stored in UTC, shown in the local zone.

A single place to ask for "now" lets tests and snapshots pin the clock (``IRP_TODAY``) without
patching library internals.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC; pinned to noon of ``IRP_TODAY`` when set."""
    pinned = os.environ.get("IRP_TODAY")
    if pinned:
        return datetime.combine(date.fromisoformat(pinned), time(12, 0), tzinfo=UTC)
    return datetime.now(UTC)


def wall_clock() -> datetime:
    """The real instant, never pinned: for what another machine checks against its own clock
    (a webhook signature's timestamp must be within minutes of the receiver's)."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date where the user is: due dates and overdue are calendar questions."""
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
