"""One deadline over a whole HTTP exchange, however the server paces its bytes.

httpx's timeouts bound each wait (to connect, for the next chunk to arrive), so a server that
drips a byte every few seconds never trips them and can hold a request for ever. :func:`within`
runs the exchange in a daemon thread and stops waiting for it at the deadline: the caller gets a
timeout and goes on; the abandoned thread ends when its server does (its connection is closed
when the caller's client is).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


def within(seconds: float, work: Callable[[], T]) -> T:
    """``work()``'s result, or :class:`httpx.ReadTimeout` once ``seconds`` have passed; an
    exception ``work`` raises is raised here as it was."""
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            done["result"] = work()
        except BaseException as error:  # handed to the caller as it is
            done["error"] = error

    thread = threading.Thread(target=run, daemon=True, name="irp-http")
    thread.start()
    thread.join(max(seconds, 0.0))
    if thread.is_alive():
        raise httpx.ReadTimeout(f"no whole answer within {seconds:.3g} s")
    if "error" in done:
        raise done["error"]
    return done["result"]  # type: ignore[no-any-return]
