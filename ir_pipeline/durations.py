"""Spans of time written as people write them: ``5s``, ``30m``, ``2h``, ``14d``, ``2w``.

One reading for every place that takes one (the notice retry schedule, a share link's life), so
``14d`` means the same everywhere and a bad one is refused the same way.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ir_pipeline.errors import Invalid

_SPAN = re.compile(r"(\d{1,5})\s*([smhdw])")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str, *, field: str, shortest: timedelta, longest: timedelta) -> timedelta:
    """``"14d"`` as a span from ``shortest`` to ``longest``; anything else is refused naming
    ``field`` and the forms that work."""
    match = _SPAN.fullmatch(text.strip().lower())
    span = timedelta(**{_UNIT[match.group(2)]: int(match.group(1))}) if match else None
    if span is None or not shortest <= span <= longest:
        raise Invalid(
            f"{field} is a span such as 30m, 12h, 14d or 2w, from {_say(shortest)} to"
            f" {_say(longest)}, not {text[:40]!r}",
            field=field,
        )
    return span


def _say(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
