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
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from ir_pipeline.config import FxSettings
from ir_pipeline.errors import RatesUnavailable
from ir_pipeline.fx.providers import Call, Provider, default_url, provider_named
from ir_pipeline.fx.rates import Rate


def provider_of(settings: FxSettings) -> Provider:
    return provider_named(settings.provider, ecos_key=settings.ecos_key)


def base_url(settings: FxSettings, provider: Provider) -> str:
    url = (settings.url or default_url(provider)).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RatesUnavailable(f"IRP_FX_URL must be an http(s) URL, not {url[:60]!r}")
    return url


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(text: str) -> Any:
    """JSON with every number read exactly (never a float) and no NaN or Infinity."""
    return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)


def get_json(
    client: httpx.Client,
    url: str,
    call: Call,
    settings: FxSettings,
    *,
    pause: Callable[[float], None] = time.sleep,
) -> Any:
    """One call's JSON, retried on 5xx, timeouts and dropped connections within the budget."""
    deadline = time.monotonic() + settings.timeout
    host = urlsplit(url).netloc
    what = f"the rates service at {host}"
    problem = ""
    for attempt in range(settings.attempts):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            response = client.get(url + call.path, params=call.params, timeout=httpx.Timeout(left))
        except httpx.TimeoutException:
            problem = f"no answer within {settings.timeout:g} s"
        except httpx.TransportError as error:
            problem = f"could not connect ({type(error).__name__})"
        else:
            if response.status_code >= 500:
                problem = f"it answered {response.status_code} {response.reason_phrase}"
            elif response.status_code >= 400:
                hint = " (check IRP_ECOS_KEY)" if response.status_code in (401, 403) else ""
                raise RatesUnavailable(
                    f"{what} refused {call.shown}: {response.status_code} {response.reason_phrase}{hint}"
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
    http = client or httpx.Client(follow_redirects=True, headers={"Accept": "application/json"})
    try:
        for done, call in enumerate(calls, start=1):
            rates.extend(provider.read(call, get_json(http, url, call, settings), to))
            if progress is not None:
                progress(done, len(calls))
    finally:
        if own:
            http.close()
    return rates
