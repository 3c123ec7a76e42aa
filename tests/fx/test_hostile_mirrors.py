"""``irp fx update`` against hostile mirrors on 127.0.0.1: a server that drips its headers or
its body, one that answers 10 MB, one that redirects elsewhere, one that answers for another day,
one that nests JSON a million deep. Each ends within ``IRP_FX_TIMEOUT`` (and a little) with one
line, exit 1, and nothing stored."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from ir_pipeline.db import make_engine, read_only
from ir_pipeline.fx.stored import list_rates
from tests.local_http import free_port, serving
from tests.test_cli import irp

TIMEOUT = 2.0
_DAY = date(2024, 1, 5)
Behaviour = Callable[[BaseHTTPRequestHandler], None]


def _drip_headers(h: BaseHTTPRequestHandler) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for _ in range(200):
        h.wfile.write(b"X")
        h.wfile.flush()
        time.sleep(0.2)


def _drip_body(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", "1000000")
    h.end_headers()
    for _ in range(200):
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(0.2)


def _huge(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(10 * 1024 * 1024))
    h.end_headers()
    chunk = b" " * 65536
    for _ in range(160):
        h.wfile.write(chunk)


def _deep(h: BaseHTTPRequestHandler) -> None:
    body = b"[" * 1_000_000
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _another_day(h: BaseHTTPRequestHandler) -> None:
    body = json.dumps({"amount": 1, "base": "USD", "date": "2018-09-19", "rates": {"KRW": 9999}}).encode()
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def hits() -> list[str]:
    return []


@contextmanager
def _server(behaviour: Behaviour, hits: list[str], port: int) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            with suppress(BrokenPipeError, ConnectionResetError):  # irp gave up on it: the point
                behaviour(self)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler, port):
        yield f"http://127.0.0.1:{port}"


def _update(url: str, db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, float]:
    monkeypatch.setenv("IRP_FX_PROVIDER", "frankfurter")
    monkeypatch.setenv("IRP_FX_URL", url)
    monkeypatch.setenv("IRP_FX_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("IRP_FX_ATTEMPTS", "2")
    monkeypatch.setenv("IRP_FX_BACKOFF", "0")
    start = time.monotonic()
    code, _, err = irp("fx", "update", "--date", "2024-01-05", "--currencies", "USD", db=db)
    return code, err, time.monotonic() - start


def _nothing_stored(db: str) -> None:
    engine = make_engine(db)
    try:
        with read_only(engine) as session:
            assert list_rates(session, limit=10) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("behaviour", "said"),
    [
        (_drip_headers, "no answer within 2 s"),
        (_drip_body, "no answer within 2 s"),
        (_huge, "more than 5 MB"),
        (_deep, "not valid JSON"),
        (_another_day, "2018-09-19, a day that was not asked"),
    ],
    ids=["drips-headers", "drips-body", "10-MB", "deep-JSON", "another-day"],
)
def test_a_hostile_mirror_ends_in_time_with_one_line(
    behaviour: Behaviour, said: str, sqlite_url: str, hits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with _server(behaviour, hits, free_port()) as url:
        code, err, took = _update(url, sqlite_url, monkeypatch)
    assert code == 1 and err.startswith("irp: ") and err.count("\n") == 1, err
    assert said in err
    assert took < TIMEOUT + 3  # the deadline covers headers and body, retries included
    _nothing_stored(sqlite_url)


def test_a_redirect_to_another_host_or_port_is_not_followed(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere: list[str] = []
    other = free_port()

    def redirect(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("location", f"http://127.0.0.1:{other}/steal")
        h.send_header("content-length", "0")
        h.end_headers()

    hits: list[str] = []
    with _server(_another_day, elsewhere, other), _server(redirect, hits, free_port()) as url:
        code, err, _ = _update(url, sqlite_url, monkeypatch)
    assert code == 1 and "redirected to http://127.0.0.1" in err and "refused" in err
    assert elsewhere == []  # the other port never saw a request
    _nothing_stored(sqlite_url)


@pytest.mark.parametrize("behaviour", [_drip_headers, _drip_body], ids=["drips-headers", "drips-body"])
def test_a_dripping_mirror_is_hung_up_on_at_the_deadline(behaviour: Behaviour) -> None:
    """In a long-running process (the TUI, a watch) the cut request must not live on: at the
    deadline its connection is shut, so the server's next write fails at once and the request's
    thread ends, instead of both lasting as long as the server cares to drip."""
    import threading

    from ir_pipeline.config import FxSettings
    from ir_pipeline.deadline import FRESH_CONNECTIONS
    from ir_pipeline.errors import RatesUnavailable
    from ir_pipeline.fx.fetch import fetch_rates

    hung_up = threading.Event()

    def dripping(h: BaseHTTPRequestHandler) -> None:
        try:
            behaviour(h)
        except (BrokenPipeError, ConnectionResetError):
            hung_up.set()
            raise

    port = free_port()
    settings = FxSettings(provider="frankfurter", url=f"http://127.0.0.1:{port}", timeout=1.0, attempts=1)
    # a client the caller keeps open (closing it would end the request whatever the deadline did)
    with _server(dripping, [], port), httpx.Client(limits=FRESH_CONNECTIONS) as client:
        with pytest.raises(RatesUnavailable, match="no answer within 1 s"):
            fetch_rates(settings, currencies=["USD"], to="KRW", start=_DAY, end=_DAY, client=client)
        assert hung_up.wait(10), "the server is still dripping into a request nobody waits for"
    assert not [t for t in threading.enumerate() if t.name == "irp-http" and t.is_alive()]
