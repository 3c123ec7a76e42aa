"""The funnel's figures kept, not recomputed: one table of running totals.

Each row is one cell of the funnel for one *scope* (everything, one event, one startup or one
investor): a count and, for money, an exact sum. Sums are kept as two halves (the sums of each
amount's high and low 32 bits, see :mod:`ir_pipeline.queries.sums`) so that no total overflows a
64-bit integer on SQLite, and both halves are updated with relative increments, which commute:
two writers adding to the same cell never lose each other's change.

The cells are written only by :mod:`ir_pipeline.summaries`, in the same transaction as the rows
they summarise; ``irp db check-aggregates`` recomputes them from the base rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.models.base import Deferred
from ir_pipeline.models.types import ExactDecimal


class FunnelSum(Deferred, table=True):
    __tablename__ = "funnel_sum"

    #: ``a`` all deals, ``e`` one event, ``s`` one startup, ``i`` one investor.
    scope: str = Field(primary_key=True, max_length=1)
    scope_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    #: What is counted (see ``ir_pipeline.summaries.contributions.Measure``).
    measure: str = Field(primary_key=True, max_length=8)
    stage: str = Field(default="", primary_key=True, max_length=16)
    currency: str = Field(default="", primary_key=True, max_length=3)
    status: str = Field(default="", primary_key=True, max_length=16)
    #: The startup or investor a member cell belongs to (0 for the others).
    member_id: int = Field(default=0, primary_key=True, sa_column_kwargs={"autoincrement": False})
    n: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    amount_hi: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    amount_lo: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)


class FunnelRate(Deferred, table=True):
    """The distinct rate snapshots behind the converted totals of all deals, kept as counts: how
    many LOIs (``kind`` ``l``) or fundings (``f``) in ``currency`` were converted into ``base`` at
    ``rate`` on ``day`` per ``source``. The funnel lists the rates it used from these few rows (one
    per currency and day, whatever the number of records) instead of a pass over every foreign
    record. Written with :class:`FunnelSum`, by the same rule and in the same transaction."""

    __tablename__ = "funnel_rate"

    scope: str = Field(primary_key=True, max_length=1)
    scope_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(primary_key=True, max_length=1)
    base: str = Field(primary_key=True, max_length=3)
    currency: str = Field(primary_key=True, max_length=3)
    day: date = Field(primary_key=True)
    rate: Decimal = Field(primary_key=True, sa_type=ExactDecimal)
    source: str = Field(primary_key=True, max_length=40)
    n: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
