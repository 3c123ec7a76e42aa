"""Dates as IR staff type them: ``2018-09-19``, ``2018.09.19``, ``2018/9/19``, ``18.9.19``, and
relative forms (``today``, ``tomorrow``, ``+3d``, ``+2w``) for follow-ups.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ir_pipeline.clock import local_today
from ir_pipeline.errors import Invalid

_YMD = re.compile(r"^(\d{2}|\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$")
_KOREAN = re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RELATIVE = re.compile(r"^\+(\d+)\s*([dw]?)$")


def parse_date(text: str, *, today: date | None = None, field: str = "date") -> date:
    """Read a calendar date, or raise :class:`Invalid` naming the forms that work."""
    s = text.strip().lower()
    base = today or local_today()
    if s in ("today", "오늘"):
        return base
    if s in ("tomorrow", "내일"):
        return base + timedelta(days=1)
    if m := _RELATIVE.match(s):
        n = int(m.group(1))
        return base + (timedelta(weeks=n) if m.group(2) == "w" else timedelta(days=n))
    m = _YMD.match(s) or _KOREAN.match(s) or _COMPACT.match(s)
    if not m:
        raise Invalid(
            f"cannot read {text!r} as a date: use 2018-09-19, 2018.09.19, 2018/9/19 or 18.9.19",
            field=field,
        )
    year, month, day = (int(g) for g in m.groups())
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise Invalid(f"{text!r} is not a real date ({exc})", field=field) from None
