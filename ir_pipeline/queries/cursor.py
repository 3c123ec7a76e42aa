"""Keyset cursors: where the next page of a listing starts, as a short opaque string.

A cursor holds the sort value and id of the last row shown (and which part of a split sort it
was in), so the next page starts right after it through an index, at the same cost on page 1 and
page 10,000, and no row is skipped or shown twice when rows are added between pages. It travels
through the CLI (``--after``), so it is parsed as untrusted input.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ir_pipeline.errors import Invalid

Value = int | str | date | datetime | None
#: Beyond this many rows a filtered listing says "10,000+" instead of counting every match.
COUNT_CAP = 10_000


@dataclass(frozen=True, slots=True)
class Cursor:
    part: int
    value: Value
    id: int

    def encode(self) -> str:
        value: Any = self.value
        if isinstance(value, datetime):
            value = {"t": value.isoformat()}
        elif isinstance(value, date):
            value = {"d": value.isoformat()}
        raw = json.dumps([self.part, value, self.id], separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, field: str = "after") -> Cursor:
        refused = Invalid(
            f"{text[:40]!r} is not a cursor this listing gave (copy it from its last line)", field=field
        )
        try:
            raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
            part, value, ident = json.loads(raw.decode())
            if isinstance(value, dict) and len(value) == 1:
                ((kind, iso),) = value.items()
                value = {"t": datetime.fromisoformat, "d": date.fromisoformat}[kind](iso)
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, AttributeError):
            raise refused from None
        ok = (
            type(part) is int
            and type(ident) is int
            and 0 <= part < 64
            and (value is None or (isinstance(value, int | str | date) and not isinstance(value, bool)))
        )
        if not ok:
            raise refused
        return cls(part, value, ident)
