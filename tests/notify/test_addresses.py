"""Endpoints never reach inside the network: refused when added, and again before every send."""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ir_pipeline.cli.main import app
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.errors import Invalid
from ir_pipeline.models import EndpointFormat, NotifyAttempt
from ir_pipeline.notify.delivery import NO_ANSWER, deliver_pass, make_client
from ir_pipeline.notify.endpoints import add_endpoint
from ir_pipeline.notify.status import queue_test
from tests.conftest import STAFF
from tests.local_http import free_port
from tests.notify.receiver import receiver

FORBIDDEN = {
    "http://127.0.0.1:5432/": "loopback",
    "http://localhost/": "loopback",
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://metadata.google.internal/": "metadata",
    "http://[::1]/": "loopback",
    "http://0x7f000001/": "loopback",
    "http://2130706433/": "loopback",
    "http://10.0.0.1/": "private",
    "http://192.168.1.1/": "private",
    "http://[fd00::1]/": "unique-local",
    "http://224.0.0.1/": "multicast",
    "http://100.64.0.1/": "reserved or shared",
    "http://[::ffff:127.0.0.1]/": "loopback",
    "http://0.0.0.0/": "unspecified",
}


@pytest.fixture(autouse=True)
def _nothing_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRP_NOTIFY_ALLOW", raising=False)


@pytest.mark.parametrize("url", sorted(FORBIDDEN))
def test_inside_addresses_are_refused_when_added(sqlite_url: str, url: str) -> None:
    result = CliRunner().invoke(app, ["--db", sqlite_url, "notify", "add", url, "--name", "x"])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.stderr
    assert FORBIDDEN[url] in result.stderr and "Traceback" not in result.stderr


def test_credentials_in_the_url_are_refused(sqlite_url: str) -> None:
    result = CliRunner().invoke(
        app, ["--db", sqlite_url, "notify", "add", "https://user:secret@example.org/"]
    )
    assert result.exit_code == 1 and "give credentials as a header" in result.stderr


def test_a_checked_endpoint_is_checked_again_at_every_send(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as rx:
        monkeypatch.setenv("IRP_NOTIFY_ALLOW", "127.0.0.1/32")  # a relay the admin allowed
        with unit_of_work(engine) as s:
            add_endpoint(s, actor=STAFF, name="relay", url=rx.url, format=EndpointFormat.SLACK)
        monkeypatch.delenv("IRP_NOTIFY_ALLOW")  # and allows no longer
        with unit_of_work(engine) as s:
            queue_test(s, actor=STAFF, name="relay")
        with make_client() as client:
            report = deliver_pass(lambda: unit_of_work(engine), actor=STAFF, client=client)
        assert report.sent == 1 and rx.requests == []
    with read_only(engine) as s:
        (attempt,) = s.query(NotifyAttempt).all()
    assert attempt.error.startswith("not sent:") and "loopback" in attempt.error


def test_attempt_errors_do_not_tell_an_open_port_from_a_closed_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRP_NOTIFY_ALLOW", "127.0.0.1/32")
    listener = socket.create_server(("127.0.0.1", 0))
    open_port, closed_port = listener.getsockname()[1], free_port()

    def hang_up() -> None:
        for _ in range(3):
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        with unit_of_work(engine) as s:
            for name, port in (("open", open_port), ("closed", closed_port)):
                add_endpoint(
                    s, actor=STAFF, name=name, url=f"http://127.0.0.1:{port}/", format=EndpointFormat.SLACK
                )
        with unit_of_work(engine) as s:
            queue_test(s, actor=STAFF, name="open")
            queue_test(s, actor=STAFF, name="closed")
        with make_client() as client:
            deliver_pass(lambda: unit_of_work(engine), actor=STAFF, client=client)
    finally:
        listener.close()
    with read_only(engine) as s:
        errors = {a.error for a in s.query(NotifyAttempt).all()}
    assert errors == {NO_ANSWER}


def test_headers_are_checked(engine: Engine) -> None:
    from ir_pipeline.notify.endpoints import parse_headers

    assert parse_headers(["Authorization: Bearer x"]) == {"Authorization": "Bearer x"}
    for bad in (["nocolon"], ["Host: evil"], ["webhook-signature: x"], ["X-A: a\u0007"], ["X: 1", "x: 2"]):
        with pytest.raises(Invalid):
            parse_headers(bad)
