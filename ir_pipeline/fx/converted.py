"""Converted totals: one figure in one currency, beside the per-currency totals, never instead.

A :class:`Converted` is the exact sum of the records' own conversions (each rounded once, see
:mod:`~ir_pipeline.fx.rates`), what could not be converted (listed, never counted as zero) and
the rates it used, so every screen can say how the figure was made:
``₩17,300,000,000 + $2,000,000.00 ≈ ₩20,061,000,000 (USD at 1,380.50, 2018-09-19, ECB)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ir_pipeline.fx.rates import Rate, format_rate
from ir_pipeline.money import Money, Totals, format_korean, format_symbol, format_totals
from ir_pipeline.text import plural


@dataclass(frozen=True, slots=True)
class RateUse:
    """How one currency was converted within a total: one rate, or a range of daily ones."""

    currency: str
    to: str
    low: Decimal
    high: Decimal
    first_day: date
    last_day: date
    rates: int
    sources: tuple[str, ...]
    #: Converted across another currency (``--base`` other than the stored one).
    via: str | None = None

    def label(self) -> str:
        """``USD at 1,380.5 (2018-09-19, ECB)``; converted across another currency, the pair is
        named (``USD/KRW 1,122.8 (…)``), since the rate is not into the total's currency."""
        sources = ", ".join(self.sources)
        name = f"{self.currency}/{self.to}" if self.via else f"{self.currency} at"
        if self.rates == 1:
            return f"{name} {format_rate(self.low)} ({self.first_day.isoformat()}, {sources})"
        span = f"{format_rate(self.low)}–{format_rate(self.high)}"
        days = f"{self.first_day.isoformat()}…{self.last_day.isoformat()}"
        return f"{name} {span} ({self.rates} rates, {days}, {sources})"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "currency": self.currency,
            "to": self.to,
            "rates": self.rates,
            "from_day": self.first_day.isoformat(),
            "to_day": self.last_day.isoformat(),
            "sources": list(self.sources),
        }
        if self.rates == 1:
            out["rate"] = format(self.low, "f")
        else:
            out["low"], out["high"] = format(self.low, "f"), format(self.high, "f")
        if self.via:
            out["via"] = self.via
        return out


def rate_uses(rates: Iterable[Rate], *, via: str | None = None) -> tuple[RateUse, ...]:
    """Distinct rates summed up per currency (identities left out: nothing to explain)."""
    by: dict[str, list[Rate]] = {}
    for rate in rates:
        if rate.base != rate.quote:
            by.setdefault(rate.base, []).append(rate)
    out: list[RateUse] = []
    for currency in sorted(by):
        group = by[currency]
        values = [r.rate for r in group]
        days = [r.day for r in group]
        out.append(
            RateUse(
                currency=currency,
                to=group[0].quote,
                low=min(values),
                high=max(values),
                first_day=min(days),
                last_day=max(days),
                rates=len({(r.day, r.rate) for r in group}),
                sources=tuple(sorted({r.source for r in group})),
                via=via,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Converted:
    currency: str
    amount: Money
    #: Per original currency, the amount and the number of records that had no rate.
    missing: dict[str, tuple[Money | None, int]] = field(default_factory=dict)
    rates: tuple[RateUse, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_count(self) -> int:
        return sum(n for _, n in self.missing.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "amount": str(self.amount.amount),
            "missing": [
                {"currency": c, "amount": None if m is None else str(m.amount), "records": n}
                for c, (m, n) in sorted(self.missing.items())
            ],
            "rates": [r.as_json() for r in self.rates],
        }

    def excluding(self) -> str:
        """``excluding €1,000.00 (1 record without a rate)``; empty when complete."""
        if not self.missing:
            return ""
        amounts = [format_symbol(m) for m, _ in self.missing.values() if m is not None]
        what = "; ".join(amounts) if amounts else plural(self.missing_count, "record")
        return f"excluding {what} ({plural(self.missing_count, 'record')} without a rate)"


class ConvertedSum:
    """Adds up a converted total: converted minor units, what is missing, the rates used."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.minor = 0
        self.missing: dict[str, list[int]] = {}
        self.unknown_missing = 0
        self.rates: set[Rate] = set()

    def add(self, minor: int) -> None:
        self.minor += minor

    def lack(self, currency: str, n: int, minor: int | None) -> None:
        """``n`` records in ``currency`` without a rate (their amount, when known)."""
        if n <= 0:
            return
        cell = self.missing.setdefault(currency, [0, 0, 1])
        cell[0] += n
        if minor is None:
            cell[2] = 0
        else:
            cell[1] += minor

    def build(self, *, via: str | None = None) -> Converted:
        missing = {
            c: (Money.from_minor(minor, c) if known else None, n)
            for c, (n, minor, known) in self.missing.items()
        }
        return Converted(
            currency=self.currency,
            amount=Money.from_minor(self.minor, self.currency),
            missing=missing,
            rates=rate_uses(self.rates, via=via),
        )


def needs_conversion(totals: Totals, currency: str) -> bool:
    """Whether a converted figure says anything: some amount is not already in ``currency``."""
    return any(c != currency for c in totals)


def describe(totals: Totals, converted: Converted | None, *, korean: bool = False) -> str:
    """``₩17,300,000,000 + $2,000,000.00 ≈ ₩20,061,000,000 (USD at 1,380.50, 2018-09-19, ECB)``;
    per-currency figures alone when nothing needs converting."""
    if not totals:
        return "—"
    parts = " + ".join(format_symbol(totals[c]) for c in totals)
    if converted is None or not needs_conversion(totals, converted.currency):
        if korean and len(totals) == 1:
            only = totals[next(iter(totals))]
            return f"{parts} · {format_korean(only)}"
        return parts
    figure = format_symbol(converted.amount)
    if korean and converted.currency == "KRW":
        figure = f"{figure} · {format_korean(converted.amount)}"
    notes = [r.label() for r in converted.rates]
    if converted.missing:
        notes.append(converted.excluding())
    note = f" ({'; '.join(notes)})" if notes else ""
    return f"{parts} ≈ {figure}{note}"


def converted_cell(converted: Converted | None) -> str:
    """A converted figure in a table cell: ``₩20,061,000,000``, ``*`` when records lack a rate."""
    if converted is None:
        return ""
    return format_symbol(converted.amount) + (" *" if converted.missing else "")


def ranked_cell(total: Totals, converted: Converted | None, *, korean: bool = True) -> str:
    """A ranking's total: per currency, and ``≈`` the converted figure when it says more."""
    if converted is None or not needs_conversion(total, converted.currency):
        return format_totals(total, korean=korean)
    return f"{format_totals(total, korean=False)} ≈ {converted_cell(converted)}"
