"""When a notice that did not arrive is sent again: the Standard Webhooks schedule.

The specification's guidance retries over about a day, each wait counted from the attempt
before: 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours (eight
attempts in all), so a receiver down for a night still gets every notice. ``IRP_NOTIFY_RETRIES``
replaces it (``"10s,1m,1h"``: the waits, in order; its length sets how many attempts there are).
Each wait gets up to a tenth more at random, so retries of many notices do not arrive together.
A receiver's ``Retry-After`` is honoured up to the longest wait of the schedule.
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from ir_pipeline.durations import parse_duration
from ir_pipeline.errors import Invalid

DEFAULT = "5s,5m,30m,2h,5h,10h,10h"
#: The longest one wait may be, and the most waits a schedule may have.
LONGEST = timedelta(days=7)
MOST = 20


def parse(text: str, *, name: str = "IRP_NOTIFY_RETRIES") -> tuple[timedelta, ...]:
    """``"5s,5m,2h"`` as waits (each read by :func:`~ir_pipeline.durations.parse_duration`);
    anything else is refused naming the variable and the form."""
    steps = [
        parse_duration(part, field=name, shortest=timedelta(seconds=1), longest=LONGEST)
        for part in text.split(",")
    ]
    if len(steps) > MOST:
        raise Invalid(f"{name} has at most {MOST} waits, not {len(steps)}", field=name)
    return tuple(steps)


def schedule() -> tuple[timedelta, ...]:
    """The configured waits between attempts (:data:`DEFAULT` unless ``IRP_NOTIFY_RETRIES``)."""
    return parse(os.environ.get("IRP_NOTIFY_RETRIES", "").strip() or DEFAULT)


#: The default schedule, and how many attempts it allows (the first and one per wait).
SCHEDULE = parse(DEFAULT)
MAX_ATTEMPTS = len(SCHEDULE) + 1


def backoff(
    attempts: int, waits: tuple[timedelta, ...] = SCHEDULE, rng: random.Random | None = None
) -> timedelta:
    """The wait after attempt number ``attempts`` (1 is the first send): its step of the
    schedule, plus up to a tenth of it at random."""
    step = waits[min(max(attempts, 1), len(waits)) - 1]
    extra: float = 0.1 * (rng or random).random()
    return step * (1 + extra)


def retry_after(value: str | None, at: datetime, waits: tuple[timedelta, ...] = SCHEDULE) -> timedelta | None:
    """A receiver's ``Retry-After`` (seconds or an HTTP date) as a wait, at most the longest of
    the schedule; ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    cap = max(waits)
    if value.isdigit():
        return min(timedelta(seconds=int(value[:9])), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when - at, timedelta(0)), cap) if when.tzinfo else None
