"""One deadline over a whole HTTP exchange, however the server paces its bytes.

httpx's timeouts bound each wait (to connect, for the next chunk to arrive), so a server that
drips a byte every few seconds never trips them and can hold a request for ever. :func:`within`
runs the exchange in a daemon thread and stops waiting for it at the deadline; it then shuts the
exchange's connections down (they are learnt from httpcore's documented ``trace`` extension), so
the thread ends at once and no socket or thread is left behind with the slow server.

Only connections the exchange opened itself are known: the clients that use this keep no idle
connections (:data:`FRESH_CONNECTIONS`), so every exchange opens its own.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

#: Limits for a client whose exchanges run :func:`within` a deadline: no connection is kept for
#: the next request, so each exchange's connection is its own to cut.
FRESH_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)

#: How long, once a deadline has passed and its connections are shut, the exchange's thread is
#: given to notice and end.
_WIND_DOWN = 2.0


class Connections:
    """The connections one exchange opens, as httpcore reports them to its ``trace`` callback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self._cut = False

    @property
    def extensions(self) -> dict[str, Any]:
        """The request extensions that report the exchange's connections here."""
        return {"trace": self._trace}

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
            with self._lock:
                self._streams.append(info["return_value"])
                late = self._cut
            if late:  # connected after the deadline: nobody waits for this exchange any more
                self.cut()

    def cut(self) -> None:
        """Shut every connection down: a read or write blocked on it ends with an error."""
        with self._lock:
            self._cut = True
            streams = list(self._streams)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if sock is None:
                continue
            with suppress(OSError):  # already closed by the server or by httpcore
                sock.shutdown(socket.SHUT_RDWR)


def within(seconds: float, work: Callable[[Connections], T]) -> T:
    """``work(connections)``'s result, or :class:`httpx.ReadTimeout` once ``seconds`` have
    passed, having shut down the connections ``work`` reported (it passes
    ``connections.extensions`` to its request); an exception ``work`` raises is raised here as
    it was."""
    done: dict[str, Any] = {}
    connections = Connections()

    def run() -> None:
        try:
            done["result"] = work(connections)
        except BaseException as error:  # handed to the caller as it is
            done["error"] = error

    thread = threading.Thread(target=run, daemon=True, name="irp-http")
    thread.start()
    thread.join(max(seconds, 0.0))
    if thread.is_alive():
        connections.cut()
        thread.join(_WIND_DOWN)
        raise httpx.ReadTimeout(f"no whole answer within {seconds:.3g} s")
    if "error" in done:
        raise done["error"]
    return done["result"]  # type: ignore[no-any-return]
