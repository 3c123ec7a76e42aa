"""Money: exact amounts, Korean units both ways, and refusals that say why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_pipeline.errors import Invalid
from ir_pipeline.money import Money, Totals, format_both, format_korean, format_symbol, parse_money

KRW_17_15B = Money(17_150_000_000, "KRW")


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("171억 5천만", 17_150_000_000, "KRW"),
        ("171억5천만원", 17_150_000_000, "KRW"),
        ("171억 5천만 원", 17_150_000_000, "KRW"),
        ("171.5억", 17_150_000_000, "KRW"),
        ("1억", 100_000_000, "KRW"),
        ("5천만", 50_000_000, "KRW"),
        ("3,000만", 30_000_000, "KRW"),
        ("3천만", 30_000_000, "KRW"),
        ("천만 원", 10_000_000, "KRW"),
        ("4,600억", 460_000_000_000, "KRW"),
        ("1조 2,000억", 1_200_000_000_000, "KRW"),
        ("12억 3,456만 7,898 원", 1_234_567_898, "KRW"),
        ("17,150,000,000", 17_150_000_000, "KRW"),
        ("₩17,150,000,000", 17_150_000_000, "KRW"),
        ("￦17,150,000,000", 17_150_000_000, "KRW"),
        ("17150000000", 17_150_000_000, "KRW"),
        ("17.15B", 17_150_000_000, "KRW"),
        ("KRW 3억", 300_000_000, "KRW"),
        ("$45M", 45_000_000, "USD"),
        ("4,500만 달러", 45_000_000, "USD"),
        ("USD 45,000,000", 45_000_000, "USD"),
        ("45,000,000 usd", 45_000_000, "USD"),
        ("$2.5M", 2_500_000, "USD"),
        ("€1.2M", 1_200_000, "EUR"),
        ("$12.34", Decimal("12.34"), "USD"),
        ("１억", 100_000_000, "KRW"),
    ],
)
def test_parses_what_people_type(text: str, amount: int | Decimal, currency: str) -> None:
    assert parse_money(text) == Money(Decimal(amount), currency)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("-5억", "negative"),
        ("−3,000,000", "negative"),
        ("(500)", "negative"),
        ("abc", "cannot read"),
        ("1.234,5", "cannot read"),
        ("1,00", "clear separators"),
        ("5만 3억", "out of order"),
        ("1억 12000만", "at most 9,999"),
        ("$5 원", "more than one currency"),
        ("¥100", "yen or yuan"),
        ("1.5원", "decimal places"),
        ("3 5억", "two numbers"),
        ("억", "number must come before"),
        ("1억억", "out of order"),
        ("12천", "plain number"),
        ("5 XYZ", "cannot read"),
        ("$", "no number"),
        ("1e9", "cannot read"),
        ("NaN", "cannot read"),
    ],
)
def test_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        parse_money(text)


def test_default_currency_applies_only_when_the_text_names_none() -> None:
    assert parse_money("45M", default_currency="USD") == Money(45_000_000, "USD")
    assert parse_money("₩3억", default_currency="USD").currency == "KRW"


def test_displays_both_forms() -> None:
    assert format_symbol(KRW_17_15B) == "₩17,150,000,000"
    assert format_korean(KRW_17_15B) == "171억 5천만 원"
    assert format_both(KRW_17_15B) == "₩17,150,000,000 · 171억 5천만 원"
    assert format_korean(Money(1_200_000_000_000, "KRW")) == "1조 2천억 원"
    assert format_korean(Money(460_000_000_000, "KRW")) == "4,600억 원"
    assert format_korean(Money(1_234_567_898, "KRW")) == "12억 3,456만 7,898 원"
    assert format_korean(Money(45_000_000, "USD")) == "4,500만 달러"
    assert format_korean(Money(0, "KRW")) == "0 원"
    assert format_symbol(Money(45_000_000, "USD")) == "$45,000,000.00"


def test_money_refuses_floats_and_sub_unit_precision() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "KRW")  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        Money(Decimal("0.001"), "USD")
    with pytest.raises(Invalid, match="unknown currency"):
        Money(1, "XXQ")


def test_minor_units_round_trip() -> None:
    usd = Money(Decimal("12.34"), "USD")
    assert usd.minor == 1234
    assert Money.from_minor(1234, "USD") == usd
    assert KRW_17_15B.minor == 17_150_000_000


def test_currencies_are_never_added_silently() -> None:
    with pytest.raises(Invalid, match="cannot add"):
        _ = Money(1, "KRW") + Money(1, "USD")
    totals = Totals([Money(1, "KRW"), Money(2, "USD"), Money(3, "KRW")])
    assert totals.as_json() == {"KRW": "4", "USD": "2.00"}


WON = st.integers(min_value=0, max_value=10**16)


@given(WON)
def test_korean_format_round_trips_every_won_amount(value: int) -> None:
    money = Money(value, "KRW")
    assert parse_money(format_korean(money)) == money


@given(WON)
def test_symbol_format_round_trips_every_won_amount(value: int) -> None:
    money = Money(value, "KRW")
    assert parse_money(format_symbol(money)) == money


@given(st.integers(min_value=0, max_value=10**14))
def test_dollar_cents_round_trip(cents: int) -> None:
    money = Money.from_minor(cents, "USD")
    assert parse_money(format_symbol(money)) == money
    assert parse_money(format_korean(money)) == money


@given(st.text(max_size=12))
def test_parser_never_crashes_on_garbage(text: str) -> None:
    try:
        result = parse_money(text)
    except Invalid:
        return
    assert result.amount >= 0
