"""What the rates services say, and how we read it: the Frankfurter API (ECB reference rates)
and the Bank of Korea's ECOS API (the won's official reference rates).

Each provider turns a request for some currencies over some days into HTTP requests, and each
response into :class:`~ir_pipeline.fx.rates.Rate` rows checked by the one rule
(:func:`~ir_pipeline.fx.rates.check_rate`). Anything unexpected (a base other than asked, a rate
that is not a positive number, a shape we do not know) raises :class:`RatesUnavailable` naming
it, and the caller stores nothing from that update.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ir_pipeline.errors import Invalid, RatesUnavailable
from ir_pipeline.fx.rates import Rate, check_rate

#: The documented base of Frankfurter's API (version 1), and the hosts it has been served from:
#: a base on one of them without the version is read as this one's ``/v1``.
FRANKFURTER_URL = "https://api.frankfurter.dev/v1"
FRANKFURTER_HOSTS = ("api.frankfurter.dev", "api.frankfurter.app")
ECOS_URL = "https://ecos.bok.or.kr/api"


@dataclass(frozen=True, slots=True)
class Call:
    """One HTTP GET: the path under the provider's base URL, its query, and what it asks for."""

    path: str
    params: dict[str, str]
    currency: str
    #: The path as it may be shown (an ECOS key is part of the path, and never printed).
    shown: str
    #: The days asked for: an answer for any other day (beyond a fixing's few days of slack
    #: before ``start``, for weekends and holidays) is refused, never stored.
    start: date
    end: date


class Provider:
    name: str
    source: str

    def absent(self, body: Any) -> bool:
        """Whether a 404 answer with this (parsed) body means "no fixing for these days", which
        stores nothing and is no error; any other 404 is refused."""
        return False

    def calls(self, currencies: list[str], to: str, start: date, end: date) -> Iterator[Call]:
        raise NotImplementedError

    def read(self, call: Call, body: Any, to: str) -> list[Rate]:
        raise NotImplementedError


def _day(text: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise RatesUnavailable(f"the rates service sent {str(text)[:20]!r} as {what}, not a date") from None


def _rate(currency: str, to: str, day: date, value: Any, source: str, divisor: int = 1) -> Rate:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise RatesUnavailable(f"the {currency}/{to} rate for {day} is {str(value)[:20]!r}, not a number")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise RatesUnavailable(
            f"the {currency}/{to} rate for {day} is {str(value)[:20]!r}, not a number"
        ) from None
    try:
        return check_rate(currency, to, day, number / divisor, source)
    except Invalid as error:
        raise RatesUnavailable(f"the rates service sent a rate that cannot be right: {error}") from None


class Frankfurter(Provider):
    """``/{date}`` and ``/{start}..{end}`` with ``from`` and ``to``: one call per currency, whose
    rates arrive as ``{"base": "USD", "rates": {"KRW": 1122.04}}`` (a day) or ``{"base": "USD",
    "rates": {"2018-09-19": {"KRW": 1122.04}, ...}}`` (a range). A day without a fixing (a
    weekend) answers with the last earlier one, under its own date."""

    name = "frankfurter"
    source = "ECB"

    def absent(self, body: Any) -> bool:
        # Frankfurter's v1 answers a day or range without a fixing (a weekend, a holiday) with
        # 404 ``{"message": "not found"}``; a path outside the API (a base without ``/v1``)
        # gets the application's own 404, which also says ``"status": 404``.
        return bool(body == {"message": "not found"})

    def calls(self, currencies: list[str], to: str, start: date, end: date) -> Iterator[Call]:
        span = start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
        for currency in currencies:
            shown = f"/{span}?from={currency}&to={to}"
            yield Call(f"/{span}", {"from": currency, "to": to}, currency, shown, start, end)

    def read(self, call: Call, body: Any, to: str) -> list[Rate]:
        if not isinstance(body, dict) or not isinstance(body.get("rates"), dict):
            raise RatesUnavailable(f"the rates service's answer to {call.shown} has no rates")
        base = body.get("base")
        if base != call.currency:
            raise RatesUnavailable(
                f"the rates service answered in {str(base)[:10]!r} rates, not {call.currency} as asked"
            )
        amount = body.get("amount", 1)
        if amount not in (1, Decimal(1)):
            raise RatesUnavailable(f"the rates service quoted for {str(amount)[:10]} {base}, not 1")
        rates = body["rates"]
        if "date" in body:  # one day
            day = _day(body["date"], "the date")
            if to not in rates:
                raise RatesUnavailable(f"the rates service sent no {to} rate for {call.currency} on {day}")
            return [_rate(call.currency, to, day, rates[to], self.source)]
        out: list[Rate] = []
        for text, quotes in rates.items():
            day = _day(text, "a date")
            if not isinstance(quotes, dict) or to not in quotes:
                raise RatesUnavailable(f"the rates service sent no {to} rate for {call.currency} on {day}")
            out.append(_rate(call.currency, to, day, quotes[to], self.source))
        return out


#: ECOS table 731Y001 (주요국 통화의 대원화환율, daily): item code and how many units it quotes.
ECOS_TABLE = "731Y001"
ECOS_ITEMS: dict[str, tuple[str, int]] = {
    "USD": ("0000001", 1),  # 원/미국달러(매매기준율)
    "JPY": ("0000002", 100),  # 원/일본엔(100엔)
    "EUR": ("0000003", 1),  # 원/유로
    "GBP": ("0000012", 1),  # 원/영국파운드
    "CNY": ("0000053", 1),  # 원/위안
}
#: ECOS's "no data for this period" (a weekend, a holiday): an empty answer, not an error.
_ECOS_NO_DATA = "INFO-200"


class Ecos(Provider):
    """``/StatisticSearch/{key}/json/kr/1/{n}/731Y001/D/{YYYYMMDD}/{YYYYMMDD}/{item}``: the won
    per unit of each currency (per 100 yen), as ``{"StatisticSearch": {"row": [{"TIME":
    "20180919", "DATA_VALUE": "1122.8", ...}]}}``; errors come as ``{"RESULT": {"CODE": …}}``."""

    name = "ecos"
    source = "ECOS"

    def __init__(self, key: str) -> None:
        self.key = key

    def calls(self, currencies: list[str], to: str, start: date, end: date) -> Iterator[Call]:
        if to != "KRW":
            raise RatesUnavailable(
                f"ECOS publishes won rates only: it cannot convert to {to} (use IRP_FX_PROVIDER=frankfurter)"
            )
        if not self.key:
            raise RatesUnavailable("ECOS needs an API key: set IRP_ECOS_KEY (https://ecos.bok.or.kr/api/)")
        rows = (end - start).days + 1
        span = f"{start:%Y%m%d}/{end:%Y%m%d}"
        for currency in currencies:
            if currency not in ECOS_ITEMS:
                raise RatesUnavailable(
                    f"ECOS has no daily won rate for {currency} here; it has {', '.join(sorted(ECOS_ITEMS))}"
                )
            item = ECOS_ITEMS[currency][0]
            tail = f"json/kr/1/{rows}/{ECOS_TABLE}/D/{span}/{item}"
            yield Call(
                f"/StatisticSearch/{self.key}/{tail}", {}, currency, f"/StatisticSearch/…/{tail}", start, end
            )

    def read(self, call: Call, body: Any, to: str) -> list[Rate]:
        if not isinstance(body, dict):
            raise RatesUnavailable(f"ECOS's answer to {call.shown} is not the JSON object it sends")
        result = body.get("RESULT")
        if isinstance(result, dict):
            code = str(result.get("CODE", ""))[:20]
            if code == _ECOS_NO_DATA:
                return []
            message = " ".join(str(result.get("MESSAGE", "")).split())[:160]
            raise RatesUnavailable(f"ECOS refused the request ({code}): {message}")
        search = body.get("StatisticSearch")
        if not isinstance(search, dict) or not isinstance(search.get("row"), list):
            raise RatesUnavailable(f"ECOS's answer to {call.shown} has no rows")
        item, per = ECOS_ITEMS[call.currency]
        out: list[Rate] = []
        for row in search["row"]:
            if not isinstance(row, dict):
                raise RatesUnavailable("ECOS sent a row that is not an object")
            if row.get("STAT_CODE") != ECOS_TABLE or row.get("ITEM_CODE1") != item:
                raise RatesUnavailable(
                    f"ECOS answered with {str(row.get('ITEM_NAME1') or row.get('ITEM_CODE1'))[:40]!r}, "
                    f"not the won per {call.currency} asked for"
                )
            time = str(row.get("TIME"))
            try:
                if not (len(time) == 8 and time.isdigit()):
                    raise ValueError(time)
                day = date(int(time[:4]), int(time[4:6]), int(time[6:]))
            except ValueError:
                raise RatesUnavailable(f"ECOS sent {str(row.get('TIME'))[:20]!r} as a day") from None
            value = row.get("DATA_VALUE")
            text = value.replace(",", "").strip() if isinstance(value, str) else value
            out.append(_rate(call.currency, to, day, text, self.source, divisor=per))
        return out


def provider_named(name: str, *, ecos_key: str = "") -> Provider:
    key = name.strip().lower()
    if key in ("", "frankfurter", "ecb"):
        return Frankfurter()
    if key in ("ecos", "bok"):
        return Ecos(ecos_key)
    raise Invalid(f"unknown rates provider {name[:30]!r}: IRP_FX_PROVIDER is frankfurter or ecos")


def default_url(provider: Provider) -> str:
    return ECOS_URL if isinstance(provider, Ecos) else FRANKFURTER_URL
