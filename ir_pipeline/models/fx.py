"""Exchange rates, stored so that every converted figure can be traced to the rate it used.

A row says that on ``day`` one unit of ``base`` was worth ``rate`` units of ``quote`` (the market's
own way of writing USD/KRW 1,380.25), as ``source`` published it (``ECB`` through Frankfurter,
``ECOS`` from the Bank of Korea, ``manual`` from ``irp fx set``). One rate per pair and day: a
later fetch or a manual rate for the same day replaces the value through the ORM, so the audit
trail keeps the old one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.clock import utcnow
from ir_pipeline.models.base import SHORT_LENGTH, Deferred, Timestamped, Versioned
from ir_pipeline.models.types import ExactDecimal, UTCDateTime


class FxRate(Versioned, Timestamped, table=True):
    __tablename__ = "fx_rate"
    __table_args__ = (
        sa.UniqueConstraint("base", "quote", "day", name="uq_fx_rate_pair_day"),
        sa.CheckConstraint("length(base) = 3 AND length(quote) = 3 AND base <> quote", name="pair_iso"),
    )

    id: int | None = Field(default=None, primary_key=True)
    base: str = Field(max_length=3)
    quote: str = Field(max_length=3)
    day: date
    rate: Decimal = Field(sa_type=ExactDecimal, nullable=False)
    source: str = Field(max_length=40)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    #: Who fetched or typed it.
    fetched_by: str = Field(default="", max_length=SHORT_LENGTH)


class FxSnapshot(Deferred):
    """What an LOI or funding was worth in the base currency when it was recorded: the rate of
    its own day (the nearest earlier stored one), kept with the record so that totals never
    drift as new rates arrive. All ``None`` until a rate exists; changed only by
    ``irp fx resnapshot``."""

    #: The currency converted to (the base currency when the snapshot was taken).
    fx_base: str | None = Field(default=None, max_length=3)
    #: One unit of the record's currency in ``fx_base`` (1 for a record in the base currency).
    fx_rate: Decimal | None = Field(default=None, sa_type=ExactDecimal)
    fx_day: date | None = None
    fx_source: str | None = Field(default=None, max_length=40)
    #: The amount in ``fx_base`` minor units, rounded half to even (the README's rounding rule).
    converted_minor: int | None = Field(default=None, sa_type=sa.BigInteger)
