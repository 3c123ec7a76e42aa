"""The rules of a rate, in one place: valid values, the nearest earlier rate, one conversion.

**The rounding rule** (README, "Many currencies"): a record's amount times its rate is computed
exactly (as a fraction) and rounded once, half to even, to the minor unit of the currency converted
to (whole won, cents). A converted total is the exact sum of those rounded conversions, so it
differs from exact arithmetic by at most half a minor unit per record, and always equals the sum
of the figures shown for the records.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ir_pipeline.errors import Invalid
from ir_pipeline.money import display_locale, minor_digits, normalise_currency

#: The source named for an amount already in the currency converted to.
SAME = "same currency"
MANUAL = "manual"
#: A rate holds at most this many significant digits (the stored text has 40 characters).
MAX_DIGITS = 24


@dataclass(frozen=True, slots=True)
class Rate:
    """On ``day`` one ``base`` was worth ``rate`` ``quote`` (USD/KRW 1,380.25), per ``source``."""

    base: str
    quote: str
    day: date
    rate: Decimal
    source: str

    def label(self) -> str:
        """``USD at 1,380.25 (2018-09-19, ECB)``."""
        return f"{self.base} at {format_rate(self.rate)} ({self.day.isoformat()}, {self.source})"


def format_rate(rate: Decimal) -> str:
    """A rate as people read it in the display locale: grouped, every published digit kept, no
    trailing zeros (``1,380.25``; ``1.380,25`` in de_DE)."""
    from babel.numbers import format_decimal

    return str(format_decimal(rate.normalize(), locale=display_locale(), decimal_quantization=False))


def check_rate(base: str, quote: str, day: date, rate: Decimal, source: str) -> Rate:
    """A rate as it may be stored, or :class:`Invalid` saying what is wrong with it: the rule
    for ``irp fx set``, for every provider's response and for the importer alike."""
    base, quote = normalise_currency(base), normalise_currency(quote)
    if base == quote:
        raise Invalid(f"a rate needs two currencies, not {base} to {quote}", field="currency")
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise Invalid(f"the {base}/{quote} rate must be a number, not {rate!r}", field="rate")
    if rate <= 0:
        raise Invalid(f"the {base}/{quote} rate on {day} must be above zero, not {rate}", field="rate")
    normal = rate.normalize()
    if len(normal.as_tuple().digits) > MAX_DIGITS or normal.adjusted() > 15 or normal.adjusted() < -15:
        raise Invalid(f"the {base}/{quote} rate {rate} has too many digits", field="rate")
    source = source.strip()
    if not source or len(source) > 40:
        raise Invalid("a rate's source must be 1 to 40 characters", field="source")
    return Rate(base=base, quote=quote, day=day, rate=normal, source=source)


def parse_rate(text: str) -> Decimal:
    """``1380.25`` or ``1,380.25`` as a Decimal; anything else is refused (never a float)."""
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise Invalid(f"{text[:40]!r} is not a rate: write a number such as 1380.25", field="rate") from None
    if not value.is_finite():
        raise Invalid(f"{text[:40]!r} is not a rate: write a number such as 1380.25", field="rate")
    return value


def convert_minor(amount_minor: int, currency: str, factor: Decimal | Fraction, to: str) -> int:
    """``amount × factor`` in ``to`` minor units: exact, then rounded once, half to even."""
    exact: Fraction = (
        Fraction(amount_minor, 10 ** minor_digits(currency)) * Fraction(factor) * 10 ** minor_digits(to)
    )
    return round(exact)  # Fraction rounds half to even


@dataclass(slots=True)
class RateBook:
    """Stored rates in memory, for converting many records (an import, a fill, ``--base``)."""

    _days: dict[tuple[str, str], list[date]] = field(default_factory=dict)
    _rates: dict[tuple[str, str], list[Rate]] = field(default_factory=dict)

    @classmethod
    def of(cls, rates: Iterable[Rate]) -> RateBook:
        book = cls()
        for rate in sorted(rates, key=lambda r: (r.base, r.quote, r.day)):
            book._days.setdefault((rate.base, rate.quote), []).append(rate.day)
            book._rates.setdefault((rate.base, rate.quote), []).append(rate)
        return book

    def nearest(self, base: str, quote: str, day: date) -> Rate | None:
        """The rate of ``day`` or the nearest earlier day; never a later one."""
        days = self._days.get((base, quote))
        if not days:
            return None
        at = bisect.bisect_right(days, day)
        return self._rates[(base, quote)][at - 1] if at else None

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._days)


@dataclass(frozen=True, slots=True)
class Conversion:
    """How one currency on one day becomes another: the factor and the rates it came from."""

    factor: Fraction
    rates: tuple[Rate, ...]


def identity(currency: str, day: date) -> Rate:
    return Rate(base=currency, quote=currency, day=day, rate=Decimal(1), source=SAME)


def conversion(book: RateBook, currency: str, to: str, day: date, *, via: str) -> Conversion | None:
    """``currency`` → ``to`` on ``day`` from the nearest earlier rates: direct when stored, else
    across ``via`` (the base currency the rates are kept against), else ``None``."""
    if currency == to:
        return Conversion(Fraction(1), (identity(currency, day),))
    direct = book.nearest(currency, to, day)
    if direct is not None:
        return Conversion(Fraction(direct.rate), (direct,))
    first = identity(via, day) if currency == via else book.nearest(currency, via, day)
    second = identity(via, day) if to == via else book.nearest(to, via, day)
    if first is None or second is None:
        return None
    return Conversion(Fraction(first.rate) / Fraction(second.rate), (first, second))
