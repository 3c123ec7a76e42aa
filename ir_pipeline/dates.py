"""Dates as IR staff type them: ``2018-09-19``, ``2018.09.19``, ``2018. 9. 19``, ``2018/9/19``,
``18.9.19``, ``2018년 9월 19일``, date-time cells (``2018-09-21 14:30``, whose date is what counts),
and relative forms (``today``, ``tomorrow``, ``+3d``, ``+2w``) for follow-ups.

Every date is bounded (years 1900–2200) here, once: a typo such as ``0001-01-01`` or
``+3000000d`` is refused with a reason instead of reaching the database or date arithmetic.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ir_pipeline.clock import local_today
from ir_pipeline.errors import Invalid
from ir_pipeline.text import excerpt

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
#: ``+Nd``/``+Nw`` reach at most this far ahead: ten years is beyond any follow-up.
MAX_RELATIVE_DAYS = 3_660

#: An optional time after the date (kept out: the date is what counts), as Excel and Korean
#: software print it: ``14:30``, ``T14:30:00+09:00``, ``오후 2:30``.
_TIME = (
    r"(?:[ t]+(?:오전|오후|am|pm)?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"\s*(?:오전|오후|am|pm)?(?:z|[+-]\d{2}:?\d{2})?)?"
)
_YMD = re.compile(r"^(\d{4}|\d{2})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*\.?" + _TIME + "$")
_KOREAN = re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일" + _TIME + "$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RELATIVE = re.compile(r"^\+(\d+)\s*([dw]?)$")
FORMS = "2018-09-19, 2018.09.19, 2018. 9. 19, 2018/9/19, 18.9.19 or 2018년 9월 19일"


def check_day(day: date, *, field: str = "date") -> date:
    """Refuse a date outside 1900–2200: the one bound for every way in."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(f"{day.isoformat()} is out of range: dates must fall in 1900–2200", field=field)
    return day


def parse_date(text: str, *, today: date | None = None, field: str = "date") -> date:
    """Read a calendar date, or raise :class:`Invalid` naming the forms that work."""
    shown = excerpt(text)
    s = text.strip().lower()
    base = today or local_today()
    if s in ("today", "오늘"):
        return base
    if s in ("tomorrow", "내일"):
        return base + timedelta(days=1)
    if m := _RELATIVE.match(s):
        n = int(m.group(1)) if len(m.group(1)) <= 9 else MAX_RELATIVE_DAYS + 1
        days = n * 7 if m.group(2) == "w" else n
        if days > MAX_RELATIVE_DAYS:
            raise Invalid(
                f"{shown!r} is too far ahead: relative dates reach at most {MAX_RELATIVE_DAYS} days",
                field=field,
            )
        return check_day(base + timedelta(days=days), field=field)
    if m := _YMD.match(s):
        year_text, month, day = m.group(1), int(m.group(3)), int(m.group(4))
    elif m := (_KOREAN.match(s) or _COMPACT.match(s)):
        year_text, month, day = m.group(1), int(m.group(2)), int(m.group(3))
    else:
        raise Invalid(f"cannot read {shown!r} as a date: use {FORMS}", field=field)
    # Only a two-digit year is short for 20xx; ``0001`` is the year 1, and out of range.
    year = int(year_text) + 2000 if len(year_text) == 2 else int(year_text)
    try:
        day_value = date(year, month, day)
    except ValueError as exc:
        raise Invalid(f"{shown!r} is not a real date ({exc})", field=field) from None
    return check_day(day_value, field=field)
