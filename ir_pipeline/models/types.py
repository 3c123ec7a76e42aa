"""Column types shared by the tables: UTC instants, enums stored as checked strings, exact decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An instant that is always timezone-aware UTC in Python.

    PostgreSQL keeps ``timestamptz``; SQLite has no zone, so the value is stored as naive UTC and
    given its zone back on the way out. A naive datetime is refused: it is a bug, not a time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a CHECK constraint, storing the member *values*.

    Native PostgreSQL enums make every new value a migration with locking quirks; a checked
    string behaves the same on SQLite and PostgreSQL.
    """
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum) + 4,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ExactDecimal(sa.types.TypeDecorator[Decimal]):
    """A ``Decimal`` kept exactly: its canonical text, on SQLite and PostgreSQL alike.

    SQLite's NUMERIC goes through a float (1380.25 would come back as whatever binary fraction is
    nearest); an exchange rate is a figure people read and recompute, so it is stored as written.
    """

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"an exact decimal must be a finite Decimal, not {value!r}")
        text = format(value.normalize(), "f")
        if len(text) > 40:
            raise ValueError(f"{text[:20]}… has too many digits to store")
        return text

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
