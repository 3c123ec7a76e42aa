"""A real HTTP receiver on 127.0.0.1 for the delivery tests: answers from a script, verifies every
Standard Webhooks signature with the ``standardwebhooks`` library, and counts notices by
``webhook-id`` the way a de-duplicating receiver would."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.local_http import free_port, serving

__all__ = ["Answer", "Receiver", "free_port", "receiver"]


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a hang, for the read timeout)
    drip: float = 0.0  # after the headers, one byte of a long body every this many seconds


@dataclass
class Receiver:
    url: str
    script: list[Answer] = field(default_factory=list)
    secret: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    verified: int = 0
    rejected: int = 0

    @property
    def delivered_ids(self) -> list[str]:
        """The ids the receiver accepted (answered 2xx), each once, in order."""
        seen: list[str] = []
        for r in self.requests:
            ident = r["headers"].get("webhook-id")
            if 200 <= r["status"] < 300 and ident and ident not in seen:
                seen.append(ident)
        return seen


@contextmanager
def receiver(port: int | None = None, *, secret: str | None = None) -> Iterator[Receiver]:
    port = port or free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/hook", secret=secret)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                answer = state.script.pop(0) if state.script else Answer()
            if answer.delay:
                time.sleep(answer.delay)
            status = answer.status
            if state.secret and "webhook-id" in headers:
                try:
                    Webhook(state.secret).verify(body, headers)
                    state.verified += 1
                except WebhookVerificationError:
                    state.rejected += 1
                    status = 401
            with lock:
                state.requests.append(
                    {"headers": headers, "body": json.loads(body or b"null"), "status": status}
                )
            try:
                self.send_response(status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                if answer.drip:  # a body that never quite ends, under every read timeout
                    self.send_header("content-length", "100000")
                    self.end_headers()
                    for _ in range(100_000):
                        self.wfile.write(b".")
                        self.wfile.flush()
                        time.sleep(answer.drip)
                    return
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the read-timeout test)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler, port):
        yield state
