"""Exact sums of money columns that never overflow.

SQLite adds integers in 64 bits and fails with "integer overflow" once a total passes 2⁶³, which
a few very large LOIs reach; PostgreSQL's ``SUM(bigint)`` is exact but the two must agree. Each
amount is split into its high and low 32-bit halves, each half summed in SQL (neither sum can
overflow below 2³¹ rows), and the halves joined exactly in Python.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

_HALF = 2**32


def minor_sum(column: Any) -> tuple[Any, Any]:
    """The two SQL sums to select for ``column`` (non-negative integer minor units)."""
    return sa.func.sum(column // _HALF), sa.func.sum(column % _HALF)


def halves(amount: int) -> tuple[int, int]:
    """One amount as the two halves :func:`minor_sum` adds up (for totals kept in Python)."""
    return amount // _HALF, amount % _HALF


def joined(high: Any, low: Any) -> int:
    """The exact total from the two selected halves (``None`` for no rows is 0)."""
    return int(high or 0) * _HALF + int(low or 0)


def ordering(column: Any) -> Any:
    """A total to sort by: floating point, so it cannot overflow; exact below 2⁵³."""
    return sa.func.sum(sa.cast(column, sa.Float))


#: Rankings of startups and investors follow their LOI total in this currency (amounts in other
#: currencies cannot be compared without a rate), then their number of LOIs.
RANKED_CURRENCY = "KRW"


def ranking(currency: Any, amount: Any) -> Any:
    """The SQL total that ranks LOIs' owners: the sum of their amounts in :data:`RANKED_CURRENCY`."""
    return ordering(sa.case((currency == RANKED_CURRENCY, amount), else_=0))


def ranking_part(currency: str, amount: int) -> int:
    """One LOI's part of :func:`ranking`, for totals kept in Python (the importer's new deals):
    summed exactly, and stored by the database as the floating-point sort key it is."""
    return amount if currency == RANKED_CURRENCY else 0
