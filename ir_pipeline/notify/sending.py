"""Sending one delivery: the request its endpoint's format makes, to the address that passed
the check, within one deadline over the whole exchange; what came back, as an :class:`Outcome`.

httpx's timeouts bound each wait, and :func:`~ir_pipeline.deadline.within` bounds the whole
exchange, so a receiver that drips its answer cannot hold a sender; only the start of an answer
is read. The receiver's ``Retry-After`` is read by :mod:`~ir_pipeline.notify.retries`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ir_pipeline.deadline import FRESH_CONNECTIONS, Connections, within
from ir_pipeline.errors import Invalid
from ir_pipeline.models import EndpointFormat
from ir_pipeline.notify import addresses, formats, retries, sealed
from ir_pipeline.notify.endpoints import sealed_headers
from ir_pipeline.notify.events import for_endpoint

#: Read and write wait 15 s, the Standard Webhooks guidance's floor for a receiver's answer.
TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)
#: Seconds an answer's body is read for once its status has arrived (at most; see :func:`send`).
ANSWER_WITHIN = 15.0


_KEEP_ANSWER = 2_000


def make_client(timeout: httpx.Timeout | None = None) -> httpx.Client:
    """The deliverer's client: ``timeout``, or :data:`TIMEOUT` with ``IRP_NOTIFY_TIMEOUT`` as its
    read and write waits."""
    if timeout is None:
        from ir_pipeline.config import notify_timeout_seconds

        wait = notify_timeout_seconds()
        timeout = httpx.Timeout(connect=TIMEOUT.connect, read=wait, write=wait, pool=TIMEOUT.pool)
    return httpx.Client(timeout=timeout, follow_redirects=False, limits=FRESH_CONNECTIONS)


@dataclass(frozen=True, slots=True)
class Taken:
    delivery_id: int
    attempts: int
    endpoint_id: int
    url: str
    format: EndpointFormat
    #: Sealed, as stored: opened only to send.
    secret: str | None
    event_id: str
    payload: str
    headers: str | None = None
    #: The startup the endpoint is scoped to: it is sent no internal notes.
    startup_id: int | None = None
    #: The waits between attempts (:mod:`~ir_pipeline.notify.retries`), as this pass read them.
    waits: tuple[timedelta, ...] = retries.SCHEDULE


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str
    answer: str
    duration_ms: int
    retry_after: timedelta | None = None


NO_ANSWER = "no answer (the connection failed or was closed)"


def send(client: httpx.Client, taken: Taken, *, at: datetime) -> Outcome:
    """One attempt; never raises for what the network or the receiver does.

    The host is resolved and checked again (:mod:`~ir_pipeline.notify.addresses`) and the request
    goes to the very address that passed, naming the host in ``Host`` and TLS's SNI.
    """
    start = time.perf_counter()
    try:
        target = addresses.check(taken.url)
        secret = sealed.unseal(taken.secret) if taken.secret else None
        extra = sealed_headers(taken.headers)
        payload = for_endpoint(taken.payload, startup_scoped=taken.startup_id is not None)
        request = formats.build(taken.format, event_id=taken.event_id, payload=payload, secret=secret, at=at)
    except Invalid as error:
        return Outcome(None, f"not sent: {error}"[:500], "", _ms(start))
    # the whole exchange ends by the connect, write and read timeouts added up, whatever pace
    # the receiver keeps; its body is read no longer than one read timeout and half again
    timeout = client.timeout
    whole = sum(t or 0.0 for t in (timeout.connect, timeout.write, timeout.read)) or ANSWER_WITHIN
    reading = min(ANSWER_WITHIN, 1.5 * (timeout.read or ANSWER_WITHIN))

    def exchange(connections: Connections) -> tuple[httpx.Response, str]:
        with client.stream(
            "POST",
            target.url,
            content=request.body,
            headers={**extra, **request.headers, **target.headers},
            extensions={**target.extensions, **connections.extensions},
        ) as response:
            return response, _start_of_answer(response, until=time.perf_counter() + reading)

    try:
        response, answer = within(whole + reading, exchange)
    except httpx.TimeoutException as error:
        return Outcome(None, f"timed out ({type(error).__name__})", "", _ms(start))
    except httpx.HTTPError:
        return Outcome(None, NO_ANSWER, "", _ms(start))
    retry_after = retries.retry_after(response.headers.get("retry-after"), at, taken.waits)
    return Outcome(response.status_code, "", answer, _ms(start), retry_after)


def _start_of_answer(response: httpx.Response, *, until: float) -> str:
    """The first ``_KEEP_ANSWER`` characters of the body, read no further than that (a receiver
    that answers 100 MB costs nothing) and no longer than ``until``: the status is the answer,
    the body only what is kept of it."""
    kept = bytearray()
    try:
        for chunk in response.iter_bytes():
            kept += chunk
            if len(kept) >= _KEEP_ANSWER * 4 or time.perf_counter() > until:
                break
    except httpx.HTTPError:
        pass  # the status arrived; a body cut short is kept as far as it came
    return kept.decode(response.encoding or "utf-8", "replace")[:_KEEP_ANSWER]


def _ms(start: float) -> int:
    return int((time.perf_counter() - start) * 1000)
