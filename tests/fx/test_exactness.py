"""Conversion and summation against exact rational arithmetic: each record is rounded once, half
to even, so a converted total is within half a minor unit per record of the exact figure, and it
always equals the sum of the records' own conversions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ir_pipeline.fx.converted import ConvertedSum
from ir_pipeline.fx.rates import Rate, RateBook, check_rate, conversion, convert_minor
from ir_pipeline.money import Money, minor_digits

CURRENCIES = ["KRW", "USD", "EUR", "JPY", "KWD"]  # 0, 2, 2, 0 and 3 decimals
rates = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=6, allow_nan=False)
records = st.lists(
    st.tuples(st.sampled_from(CURRENCIES), st.integers(min_value=1, max_value=10**15), rates),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(records, st.sampled_from(CURRENCIES))
def test_a_total_is_within_half_a_minor_unit_per_record_of_the_exact_sum(
    rows: list[tuple[str, int, Decimal]], target: str
) -> None:
    total = ConvertedSum(target)
    exact = Fraction(0)
    for currency, minor, rate in rows:
        factor = Decimal(1) if currency == target else rate
        own = convert_minor(minor, currency, factor, target)
        product = (
            Fraction(minor, 10 ** minor_digits(currency)) * Fraction(factor) * 10 ** minor_digits(target)
        )
        assert abs(own - product) <= Fraction(1, 2)  # one rounding, to the nearest
        if abs(own - product) == Fraction(1, 2):
            assert own % 2 == 0  # ties go to the even neighbour
        total.add(own)
        exact += product
    built = total.build()
    assert built.amount == Money.from_minor(total.minor, target)
    assert abs(built.amount.minor - exact) <= Fraction(len(rows), 2)


@settings(max_examples=200, deadline=None)
@given(rates, rates, st.integers(min_value=1, max_value=10**12))
def test_a_cross_conversion_is_the_exact_quotient_of_the_two_rates(
    usd: Decimal, eur: Decimal, cents: int
) -> None:
    day = date(2018, 9, 19)
    book = RateBook.of([check_rate("USD", "KRW", day, usd, "t"), check_rate("EUR", "KRW", day, eur, "t")])
    how = conversion(book, "USD", "EUR", day, via="KRW")
    assert how is not None and how.factor == Fraction(usd) / Fraction(eur)
    assert convert_minor(cents, "USD", how.factor, "EUR") == round(
        Fraction(cents) * Fraction(usd) / Fraction(eur)
    )


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)))
def test_the_nearest_rate_is_never_a_later_one(day: date) -> None:
    stored = [date(2018, 9, 17), date(2018, 9, 19), date(2018, 9, 21)]
    book = RateBook.of(Rate("USD", "KRW", d, Decimal(1000 + d.day), "t") for d in stored)
    found = book.nearest("USD", "KRW", day)
    earlier = [d for d in stored if d <= day]
    assert (found.day if found else None) == (max(earlier) if earlier else None)
