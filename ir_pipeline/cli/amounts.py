"""Reading ``--amount`` and ``--currency`` together."""

from __future__ import annotations

from ir_pipeline.errors import Invalid
from ir_pipeline.money import Money, normalise_currency, parse_money


def read_amount(text: str, currency: str | None, base_currency: str, *, field: str = "amount") -> Money:
    """Parse an amount; ``--currency`` is the default, and must agree with a currency in the text."""
    default = normalise_currency(currency) if currency else base_currency
    try:
        value = parse_money(text, default_currency=default)
    except Invalid as error:
        raise Invalid(str(error), field=field) from None
    if currency and value.currency != default:
        raise Invalid(f"--{field} {text!r} is in {value.currency} but --currency says {default}", field=field)
    return value
