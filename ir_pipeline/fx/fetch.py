"""Asking a rates service over httpx: a time limit per request, retries where retrying helps.

A 5xx answer, a timeout or a dropped connection is tried again after a doubling pause, within
the request's time budget (``IRP_FX_TIMEOUT``, retries included, so a hung service gives its
error within that time). A 4xx answer, JSON that does not parse, or an answer that fails the
provider's checks is not retried: it is reported in one line. Every answer of an update is read
before anything is stored, so a bad one leaves the database as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from ir_pipeline.config import FxSettings
from ir_pipeline.deadline import FRESH_CONNECTIONS, Connections, within
from ir_pipeline.errors import RatesUnavailable
from ir_pipeline.fx.providers import (
    FRANKFURTER_HOSTS,
    Call,
    Frankfurter,
    Provider,
    default_url,
    provider_named,
)
from ir_pipeline.fx.rates import Rate


def provider_of(settings: FxSettings) -> Provider:
    return provider_named(settings.provider, ecos_key=settings.ecos_key)


def base_url(settings: FxSettings, provider: Provider) -> str:
    url = (settings.url or default_url(provider)).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RatesUnavailable(f"IRP_FX_URL must be an http(s) URL, not {url[:60]!r}")
    if isinstance(provider, Frankfurter) and parts.hostname in FRANKFURTER_HOSTS and not parts.path:
        return f"{url}/v1"  # Frankfurter's own host without the version: its documented v1 base
    return url


def _unversioned(url: str) -> bool:
    """A base whose last segment is no ``v1``, ``v2``…: a service's root, not its API."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return not (last[:1] == "v" and last[1:].isdigit())


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(text: str) -> Any:
    """JSON with every number read exactly (never a float), no NaN or Infinity, and no nesting
    deeper than Python's stack (a hostile answer of a million ``[`` is a parse error)."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError("nested too deeply") from None


#: The most of an answer read: a year of daily rates for one currency is a few tens of KB.
MAX_ANSWER = 5 * 1024 * 1024
#: The most of a 404's body read: enough for a service's "not found" object.
MAX_NOT_FOUND = 4 * 1024
#: Redirects followed, within the configured service only.
MAX_REDIRECTS = 3
#: Days before a call's start for which a fixing may answer (weekends, holidays).
SLACK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    reason: str
    text: str = ""
    location: str | None = None


class _TooLarge(Exception):
    pass


def _one_request(
    client: httpx.Client, url: str, params: dict[str, str], left: float, connections: Connections
) -> _Answer:
    """One GET, its body read up to :data:`MAX_ANSWER` (a redirect or an error: no body)."""
    with client.stream(
        "GET", url, params=params, timeout=httpx.Timeout(left), extensions=connections.extensions
    ) as response:
        not_found = response.status_code == 404
        if (response.is_redirect or response.status_code >= 400) and not not_found:
            return _Answer(response.status_code, response.reason_phrase, "", response.headers.get("location"))
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > (MAX_NOT_FOUND if not_found else MAX_ANSWER):
                if not_found:  # a big 404 is no "not found" object: read as one without a body
                    return _Answer(response.status_code, response.reason_phrase)
                raise _TooLarge
        return _Answer(
            response.status_code, response.reason_phrase, body.decode(response.encoding or "utf-8")
        )


def _not_found(provider: Provider, url: str, call: Call, what: str, text: str) -> None:
    """A 404: "no fixing for these days" when the provider's body says so (returns), otherwise
    refused in one line, saying what to set when the base looks like a service's root."""
    try:
        body = parse_json(text) if text else None
    except ValueError:
        body = None
    if provider.absent(body):
        return
    hint = ""
    if isinstance(provider, Frankfurter) and _unversioned(url):
        hint = (
            f": Frankfurter's API is under a version, so set IRP_FX_URL={url}/v1"
            f" (the public service: {default_url(provider)})"
        )
    raise RatesUnavailable(f"{what} refused {call.shown}: 404 Not Found{hint}")


def get_json(
    client: httpx.Client,
    url: str,
    call: Call,
    settings: FxSettings,
    *,
    provider: Provider,
    pause: Callable[[float], None] = time.sleep,
) -> Any:
    """One call's JSON, retried on 5xx, timeouts and dropped connections within the budget: the
    whole of it (connect, headers, body, retries) ends by ``IRP_FX_TIMEOUT``. ``None`` when the
    service says it has no fixing for the days asked (a weekend, a holiday)."""
    deadline = time.monotonic() + settings.timeout
    origin = urlsplit(url)
    what = f"the rates service at {origin.netloc}"
    problem = ""
    for attempt in range(settings.attempts):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            response = _follow(client, url + call.path, call.params, deadline, origin, what)
        except httpx.TimeoutException:
            problem = f"no answer within {settings.timeout:g} s"
        except httpx.TransportError as error:
            problem = f"could not connect ({type(error).__name__})"
        except _TooLarge:
            raise RatesUnavailable(
                f"{what} sent more than {MAX_ANSWER // (1024 * 1024)} MB for {call.shown}: refused"
            ) from None
        else:
            if response.status >= 500:
                problem = f"it answered {response.status} {response.reason}"
            elif response.status == 404:
                _not_found(provider, url, call, what, response.text)
                return None
            elif response.status >= 400:
                hint = " (check IRP_ECOS_KEY)" if response.status in (401, 403) else ""
                raise RatesUnavailable(
                    f"{what} refused {call.shown}: {response.status} {response.reason}{hint}"
                )
            else:
                try:
                    return parse_json(response.text)
                except ValueError as error:
                    raise RatesUnavailable(
                        f"{what} sent something that is not valid JSON for {call.shown} ({str(error)[:60]})"
                    ) from None
        wait = settings.backoff * 2**attempt
        if attempt + 1 < settings.attempts and deadline - time.monotonic() > wait:
            pause(wait)
        elif attempt + 1 < settings.attempts:
            break
    tries = "once" if settings.attempts == 1 else f"{settings.attempts} times at most"
    raise RatesUnavailable(f"{what} gave no usable answer for {call.shown}: {problem} (tried {tries})")


def _follow(
    client: httpx.Client, url: str, params: dict[str, str], deadline: float, origin: Any, what: str
) -> _Answer:
    """The answer at ``url``, following redirects only within the configured service (a mirror
    that sends the request to another host or port is refused: it could be anything there)."""
    for _ in range(MAX_REDIRECTS + 1):
        left = max(deadline - time.monotonic(), 0.01)
        answer = within(left, partial(_one_request, client, url, params, left))
        if answer.location is None or not 300 <= answer.status < 400:
            return answer
        target = urlsplit(urljoin(url, answer.location))
        if (target.scheme, target.netloc) != (origin.scheme, origin.netloc):
            raise RatesUnavailable(
                f"{what} redirected to {target.scheme}://{target.netloc}, another service: refused"
                " (set IRP_FX_URL to it if you trust it)"
            )
        url, params = urlunsplit(target), {}
    raise RatesUnavailable(f"{what} redirected more than {MAX_REDIRECTS} times: refused")


def fetch_rates(
    settings: FxSettings,
    *,
    currencies: list[str],
    to: str,
    start: date,
    end: date,
    client: httpx.Client | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Rate]:
    """Every rate the provider has for ``currencies`` in ``to`` from ``start`` to ``end``, all
    checked; raises :class:`RatesUnavailable` on the first bad answer, having stored nothing."""
    provider = provider_of(settings)
    url = base_url(settings, provider)
    calls = list(provider.calls(currencies, to, start, end))
    rates: list[Rate] = []
    own = client is None
    http = client or httpx.Client(
        follow_redirects=False, headers={"Accept": "application/json"}, limits=FRESH_CONNECTIONS
    )
    try:
        for done, call in enumerate(calls, start=1):
            body = get_json(http, url, call, settings, provider=provider)
            if body is not None:
                rates.extend(_asked(call, provider.read(call, body, to)))
            if progress is not None:
                progress(done, len(calls))
    finally:
        if own:
            http.close()
    return rates


def _asked(call: Call, rates: list[Rate]) -> list[Rate]:
    """The rates of an answer, each for a day that was asked (a fixing may be a few days
    earlier than the first day, for a weekend); a rate for any other day refuses the answer."""
    for rate in rates:
        if not call.start - SLACK <= rate.day <= call.end:
            raise RatesUnavailable(
                f"the rates service answered {call.shown} with a {rate.base} rate for"
                f" {rate.day.isoformat()}, a day that was not asked: refused, nothing stored"
            )
    return rates
