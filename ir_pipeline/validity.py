"""When an LOI has lapsed: one rule, for what people read and for what the funnel counts.

An LOI is non-binding and stands until its ``valid_until``. Once that day has passed, an LOI still
recorded as received has expired: nobody needs to mark it, and no scan has to run first, so no
screen, export or figure can show a lapsed offer as standing. The stored status keeps what people
recorded (received, withdrawn, converted, expired by hand); :func:`standing` is what it is now.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ir_pipeline.enums import LoiStatus


def standing(status: LoiStatus, valid_until: date | None, today: date) -> LoiStatus:
    """The LOI's status as of ``today``: a received one past its validity has expired."""
    if status is LoiStatus.RECEIVED and valid_until is not None and valid_until < today:
        return LoiStatus.EXPIRED
    return status


def lapsed(status: Any, valid_until: Any, today: date) -> sa.ColumnElement[bool]:
    """The same rule in SQL: received, and valid until a day before ``today``."""
    return sa.and_(status == LoiStatus.RECEIVED, valid_until < today)


def restate(by_status: dict[str, int], lapsed_count: int) -> dict[str, int]:
    """LOI counts by recorded status, with the ``lapsed_count`` received ones counted as expired,
    in the statuses' own order (so two databases with the same LOIs say the same, whatever order
    their rows were written in)."""
    restated = dict(by_status)
    restated[LoiStatus.RECEIVED.value] = restated.get(LoiStatus.RECEIVED.value, 0) - lapsed_count
    restated[LoiStatus.EXPIRED.value] = restated.get(LoiStatus.EXPIRED.value, 0) + lapsed_count
    known = [s.value for s in LoiStatus]
    ordered = [*known, *sorted(set(restated) - set(known))]
    return {status: restated[status] for status in ordered if restated.get(status)}
