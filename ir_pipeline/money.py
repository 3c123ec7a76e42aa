"""Exact money, and amounts the way Korean IR staff write them.

Amounts are ``Decimal`` in memory and integer minor units in the database (SQLite has no exact
decimal type, so storing NUMERIC there would round large won amounts through a float). A ``Money``
never adds itself to another currency: totals are kept per currency (:class:`Totals`).

Korean groups digits by 10⁴ (만, 억, 조, 경) with 천/백/십 inside a group, so ``171억 5천만 원`` is
₩17,150,000,000. The parser takes that, Western suffixes (``17.15B``, ``$45M``) and plain figures,
and refuses anything it would have to guess about, saying why.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal, DecimalException, Inexact, InvalidOperation, localcontext
from functools import lru_cache

from ir_pipeline.errors import Invalid
from ir_pipeline.text import excerpt

DEFAULT_CURRENCY = "KRW"

#: The largest amount one record may hold, in minor units: the database column is a BIGINT.
MAX_MINOR = 2**63 - 1

#: Arithmetic on amounts never rounds: a figure that would need rounding is refused instead.
#: 60 digits hold any sum of BIGINT amounts with room to spare.
_EXACT = Context(prec=60, traps=[InvalidOperation, Inexact])
#: Formatting (Babel quantises with the current context) gets the same room, without the traps.
_WIDE = Context(prec=60)
_EXPONENTS = {digits: Decimal(1).scaleb(-digits) for digits in range(5)}

_BIG_UNITS = {"경": 10**16, "조": 10**12, "억": 10**8, "만": 10**4}
_SMALL_UNITS = {"천": 1000, "백": 100, "십": 10}
_WESTERN_SUFFIXES = {
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mm": 10**6,
    "million": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "t": 10**12,
    "trillion": 10**12,
}
_SYMBOLS = {"₩": "KRW", "$": "USD", "us$": "USD", "€": "EUR", "£": "GBP"}
_WORDS = {
    "원": "KRW",
    "won": "KRW",
    "달러": "USD",
    "불": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "유로": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "엔": "JPY",
    "yen": "JPY",
    "위안": "CNY",
    "파운드": "GBP",
}
_KOREAN_CURRENCY_WORD = {"KRW": "원", "USD": "달러", "EUR": "유로", "JPY": "엔", "CNY": "위안"}

_NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_GROUPED = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_WESTERN = re.compile(
    r"^(?P<num>"
    + _NUMBER
    + r")(?P<suffix>"
    + "|".join(sorted(_WESTERN_SUFFIXES, key=len, reverse=True))
    + r")?$"
)
_KOREAN_TOKEN = re.compile(r"(" + _NUMBER + r")|([경조억만천백십])")


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    # Babel is loaded by the first currency check, not by importing this module: a command that
    # never meets a currency (``irp tui`` before its first frame) does not pay for it
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


@lru_cache(maxsize=512)
def normalise_currency(code: str) -> str:
    """Upper-case an ISO 4217 code and check it exists, so a typo never becomes a currency."""
    iso = code.strip().upper()
    if iso not in _known_currencies():
        raise Invalid(f"unknown currency {code!r}: use an ISO 4217 code such as KRW, USD or EUR")
    return iso


#: How a currency column is filled in: symbols and words as well as codes (``원``, ``₩``, ``달러``).
#: In a column that holds only a currency, ``¥`` is read as yen, as Korean sheets use it; inside an
#: amount it stays ambiguous (yen or yuan) and is refused.
_COLUMN_WORDS = {"¥": "JPY", "￥": "JPY", "us$": "USD", "us dollar": "USD", "us dollars": "USD", "krw": "KRW"}


def parse_currency(text: str) -> str:
    """A currency column's value (``원``, ``₩``, ``KRW``, ``won``, ``$``, ``달러``, ``¥``) as ISO 4217."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    if key in _COLUMN_WORDS:
        return _COLUMN_WORDS[key]
    if key in _SYMBOLS:
        return _SYMBOLS[key]
    if key in _WORDS:
        return _WORDS[key]
    shown = excerpt(text, 20)
    if not re.fullmatch(r"[a-z]{3}", key):
        raise Invalid(
            f"unknown currency {shown!r}: use an ISO 4217 code such as KRW, USD or EUR, or 원, $, 달러"
        )
    return normalise_currency(text.strip())


@lru_cache(maxsize=512)
def minor_digits(currency: str) -> int:
    """How many digits after the point the currency has (KRW 0, USD 2, ...)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one ISO currency."""

    amount: Decimal
    currency: str
    _minor: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):  # ints are welcome, floats never
            if isinstance(self.amount, bool) or not isinstance(self.amount, int):
                raise TypeError(f"Money amount must be Decimal or int, not {type(self.amount).__name__}")
            object.__setattr__(self, "amount", Decimal(self.amount))
        currency = normalise_currency(self.currency)
        object.__setattr__(self, "currency", currency)
        if not self.amount.is_finite():
            raise Invalid("an amount must be a finite number")
        digits = minor_digits(currency)
        exponent = _EXPONENTS.get(digits) or Decimal(1).scaleb(-digits)
        try:
            # The default context traps InvalidOperation, so a quantize it cannot do exactly fails
            # rather than rounds; only then is the wider (and slower) context needed.
            quantised = self.amount.quantize(exponent)
        except InvalidOperation:
            try:
                with localcontext(_WIDE) as context:
                    context.traps[InvalidOperation] = True
                    quantised = self.amount.quantize(exponent)
            except DecimalException:
                raise Invalid(f"{self.amount} {currency} has too many digits to be an amount") from None
        if quantised != self.amount:
            raise Invalid(
                f"{self.amount} {currency} has more decimal places than {currency} allows ({digits})"
            )
        object.__setattr__(self, "amount", quantised)
        if quantised.adjusted() < 20:  # 20 + a few decimals fit the default 28 digits exactly
            minor = int(quantised.scaleb(digits))
        else:
            with localcontext(_WIDE):
                minor = int(quantised.scaleb(digits))
        object.__setattr__(self, "_minor", minor)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from integer minor units, as stored in the database."""
        digits = minor_digits(normalise_currency(currency))
        return cls(Decimal(minor).scaleb(-digits), currency)

    @classmethod
    def parse(cls, text: str, default_currency: str = DEFAULT_CURRENCY) -> Money:
        return parse_money(text, default_currency=default_currency)

    @property
    def minor(self) -> int:
        """The amount in integer minor units (won, cents, ...)."""
        return self._minor

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise Invalid(f"cannot add {other.currency} to {self.currency}: convert first")
        with localcontext(_EXACT):
            return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return format_symbol(self)


def largest(currency: str) -> Money:
    """The largest amount one LOI, funding or follow-up can hold in ``currency``."""
    return Money.from_minor(MAX_MINOR, currency)


def check_storable(money: Money, *, field: str = "amount") -> Money:
    """Refuse an amount the database cannot hold, naming the limit; the one bound for every way in."""
    if money.minor > MAX_MINOR:
        limit = largest(money.currency)
        raise Invalid(
            f"{format_symbol(money)} is too large: one amount can be at most {format_symbol(limit)} "
            f"({format_korean(limit)})",
            field=field,
        )
    return money


class Totals(Mapping[str, Money]):
    """Sums kept per currency, because adding won to dollars silently is a lie."""

    def __init__(self, amounts: Iterable[Money] = ()) -> None:
        self._by_currency: dict[str, Money] = {}
        for money in amounts:
            self.add(money)

    def add(self, money: Money) -> None:
        current = self._by_currency.get(money.currency)
        self._by_currency[money.currency] = money if current is None else current + money

    def __getitem__(self, currency: str) -> Money:
        return self._by_currency[currency]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._by_currency))

    def __len__(self) -> int:
        return len(self._by_currency)

    def as_json(self) -> dict[str, str]:
        return {cur: str(self[cur].amount) for cur in self}

    def __repr__(self) -> str:
        return f"Totals({', '.join(format_symbol(self[c]) for c in self)})"


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_money(text: str, *, default_currency: str = DEFAULT_CURRENCY) -> Money:
    """Read an amount as people type it; raise :class:`Invalid` saying why when it cannot.

    Accepted: ``171억 5천만 원``, ``171.5억``, ``3,000만``, ``₩17,150,000,000``, ``17.15B``,
    ``$45M``, ``4,500만 달러``, ``USD 45,000,000``. Refused: negatives, empty text, two currencies,
    separators that could be read two ways (``1.234,5``), Korean groups out of order or overfull.
    """
    if not isinstance(text, str):
        raise Invalid("an amount must be text")
    original = excerpt(text)  # as quoted back in messages
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if not s:
        raise Invalid("the amount is empty")
    if s.startswith(("-", "−", "(")) or re.search(r"(^|\s)-\s*\d", s):
        raise Invalid(f"amount {original!r} is negative: amounts must be positive")

    currencies: set[str] = set()
    s, found = _take_currency_markers(s)
    currencies |= found
    if len(currencies) > 1:
        raise Invalid(f"amount {original!r} names more than one currency ({', '.join(sorted(currencies))})")
    currency = next(iter(currencies)) if currencies else normalise_currency(default_currency)

    if re.search(r"\d\s+[\d.]", s):
        raise Invalid(f"amount {original!r} has two numbers in a row: write one figure")
    compact = re.sub(r"\s+", "", s)
    if not compact:
        raise Invalid(f"amount {original!r} has a currency but no number")
    if compact.startswith("-"):
        raise Invalid(f"amount {original!r} is negative: amounts must be positive")
    try:
        with localcontext(_EXACT):
            if re.search(r"[경조억만천백십]", compact):
                value = _parse_korean(compact, original, currency)
            else:
                value = _parse_western(compact, original)
    except DecimalException:
        raise Invalid(f"amount {original!r} has too many digits") from None
    if value.adjusted() > 40:  # far beyond any bound: refuse before quantising it
        raise Invalid(f"amount {original!r} is too large")
    try:
        money = Money(value, currency)
    except Invalid as exc:
        raise Invalid(f"amount {original!r}: {exc}") from None
    try:
        return check_storable(money)
    except Invalid as exc:
        raise Invalid(f"amount {original!r}: {exc}") from None


_SYMBOL_RE = re.compile("|".join(re.escape(k) for k in sorted(_SYMBOLS, key=len, reverse=True)))
_WORD_RE = re.compile(
    "|".join(
        re.escape(w) if not w.isascii() else r"(?<![a-z])" + re.escape(w) + r"(?![a-z])"
        for w in sorted(_WORDS, key=len, reverse=True)
    )
)
_ISO_RE = re.compile(r"(?<![a-z])[a-z]{3}(?![a-z])")


def _take_currency_markers(s: str) -> tuple[str, set[str]]:
    found: set[str] = set()
    if "¥" in s:
        raise Invalid("¥ could be yen or yuan: write JPY or CNY")

    def symbol(match: re.Match[str]) -> str:
        found.add(_SYMBOLS[match.group(0)])
        return " "

    def word(match: re.Match[str]) -> str:
        found.add(_WORDS[match.group(0)])
        return " "

    def iso(match: re.Match[str]) -> str:
        code = match.group(0).upper()
        if code in _known_currencies():
            found.add(code)
            return " "
        return match.group(0)

    s = _SYMBOL_RE.sub(symbol, s)
    s = _WORD_RE.sub(word, s)
    s = _ISO_RE.sub(iso, s)
    return s, found


def _decimal(token: str, original: str) -> Decimal:
    if not _GROUPED.match(token) and not re.fullmatch(r"\.\d+", token):
        raise Invalid(
            f"amount {original!r}: {token!r} is not a number with clear separators "
            "(use 1,234,567 or 1234567, with '.' for decimals)"
        )
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex already vouched for it
        raise Invalid(f"amount {original!r}: {token!r} is not a number") from None


def _parse_western(s: str, original: str) -> Decimal:
    match = _WESTERN.match(s)
    if not match:
        raise Invalid(
            f"cannot read {original!r} as an amount: try 171억 5천만, 17,150,000,000, 17.15B or $45M"
        )
    value = _decimal(match.group("num"), original)
    suffix = match.group("suffix")
    return value * _WESTERN_SUFFIXES[suffix] if suffix else value


#: The group a bare 천/백/십 after each big unit is usually meant to fill: ``1억5천`` is 1억 5천만.
_NEXT_GROUP = {10**16: 10**12, 10**12: 10**8, 10**8: 10**4}


def _ambiguous(original: str, currency: str, total: Decimal, section: Decimal, last_big: int) -> Invalid:
    """``1억5천``: the digits say 100,005,000 but people mean 150,000,000. Show both, pick neither."""
    meant = Money(total + section * _NEXT_GROUP[last_big], currency)
    literal = Money(total + section, currency)
    return Invalid(
        f"amount {original!r} is ambiguous: {format_korean(meant)} ({format_symbol(meant)}) "
        f"or {format_korean(literal)} ({format_symbol(literal)})? Write the one you mean"
    )


def _parse_korean(s: str, original: str, currency: str = DEFAULT_CURRENCY) -> Decimal:
    pos = 0
    tokens: list[tuple[str, str]] = []
    for match in _KOREAN_TOKEN.finditer(s):
        if match.start() != pos:
            raise Invalid(f"cannot read {s[pos : match.start()]!r} in amount {original!r}")
        number, unit = match.groups()
        tokens.append(("num", number) if number else ("unit", unit))
        pos = match.end()
    if pos != len(s):
        raise Invalid(f"cannot read {s[pos:]!r} in amount {original!r}")

    total = Decimal(0)
    section = Decimal(0)
    pending: Decimal | None = None
    last_big: int | None = None
    last_small: int | None = None
    trailing_small = False  # a 천/백/십 since the last big unit
    for kind, token in tokens:
        if kind == "num":
            if pending is not None:
                raise Invalid(f"amount {original!r} has two numbers in a row")
            pending = _decimal(token, original)
            continue
        if token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            if last_small is not None and unit >= last_small:
                raise Invalid(f"amount {original!r}: {token} is out of order")
            digit = Decimal(1) if pending is None else pending
            if digit >= 10:
                raise Invalid(f"amount {original!r}: write {digit}{token} as a plain number")
            section += digit * unit
            last_small, pending, trailing_small = unit, None, True
            continue
        unit = _BIG_UNITS[token]
        if last_big is not None and unit >= last_big:
            raise Invalid(f"amount {original!r}: {token} is out of order (largest unit first)")
        if pending is not None:
            if last_small is not None and pending >= last_small:
                raise Invalid(f"amount {original!r}: {pending} does not fit after the {last_small}s")
            section += pending
        if section == 0:
            raise Invalid(f"amount {original!r}: a number must come before {token}")
        if last_big is not None and section >= 10_000:
            raise Invalid(f"amount {original!r}: the {token} group holds at most 9,999")
        total += section * unit
        section, pending, last_big, last_small, trailing_small = Decimal(0), None, unit, None, False
    if pending is not None:
        if last_small is not None and pending >= last_small:
            raise Invalid(f"amount {original!r}: {pending} does not fit after the {last_small}s")
        section += pending
    if last_big is not None and section >= 10_000:
        raise Invalid(f"amount {original!r}: the last group holds at most 9,999")
    if trailing_small and last_big in _NEXT_GROUP:
        raise _ambiguous(original, currency, total, section, last_big)
    return total + section


# ---------------------------------------------------------------------------------------------
# Formatting


DEFAULT_LOCALE = "en_US"


@lru_cache(maxsize=8)
def _checked_locale(name: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(name.replace("-", "_").split(".")[0]))
    except (ValueError, TypeError, UnknownLocaleError):
        raise Invalid(
            f"IRP_LOCALE {name[:30]!r} is not a locale Babel knows: try ko_KR, en_US or de_DE"
        ) from None


def display_locale() -> str:
    """The locale amounts are written in (``IRP_LOCALE``, e.g. ``ko_KR``; ``en_US`` by default,
    whatever the system's, so output that scripts read does not change with the machine)."""
    return _checked_locale(os.environ.get("IRP_LOCALE", "").strip() or DEFAULT_LOCALE)


def format_symbol(money: Money) -> str:
    """``₩17,150,000,000``, ``$45,000,000.00`` (``US$2,000,000.00`` in ko_KR, ``2.000.000,00 $``
    in de_DE): Babel's currency format for the display locale, the form that lines up in tables."""
    from babel.numbers import format_currency

    with localcontext(_WIDE):
        return str(format_currency(money.amount, money.currency, locale=display_locale()))


def _korean_group(value: int) -> str:
    if value >= 1000 and value % 1000 == 0:
        return f"{value // 1000}천"
    return f"{value:,}"


def format_korean(money: Money) -> str:
    """``171억 5천만 원``: how Korean readers say the figure, zero groups dropped."""
    digits = minor_digits(money.currency)
    integer = int(money.amount)
    fraction = money.amount - integer
    parts: list[str] = []
    remaining = integer
    for unit_name, unit in _BIG_UNITS.items():
        group, remaining = divmod(remaining, unit)
        if group:
            # only the leading group can exceed 9,999 (beyond 경)
            parts.append(f"{_korean_group(group) if group < 10_000 else f'{group:,}'}{unit_name}")
    if remaining or fraction or not parts:
        ones = f"{remaining:,}"
        if fraction:
            ones = f"{ones}{str(fraction.quantize(Decimal(1).scaleb(-digits)))[1:]}"
        parts.append(ones)
    word = _KOREAN_CURRENCY_WORD.get(money.currency, money.currency)
    return f"{' '.join(parts)} {word}"


def format_both(money: Money) -> str:
    """``₩17,150,000,000 · 171억 5천만 원``: exact figure first, spoken form second."""
    return f"{format_symbol(money)} · {format_korean(money)}"


def format_totals(totals: Totals, *, korean: bool = True) -> str:
    """Per-currency totals side by side (``₩… · …억 원; $…``), never added across currencies."""
    if not totals:
        return "—"
    return "; ".join(format_both(totals[c]) if korean else format_symbol(totals[c]) for c in totals)


def percent(share: Decimal | None) -> str:
    """``0.1166`` → ``11.7%``; nothing to compare → ``—``."""
    return "—" if share is None else f"{share * 100:.1f}%"
