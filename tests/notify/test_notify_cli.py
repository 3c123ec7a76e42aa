"""``irp notify`` as people and scripts use it: endpoints, a test notice, delivery and status,
against a real receiver on 127.0.0.1."""

from __future__ import annotations

import json

from tests.notify.receiver import Answer, receiver
from tests.test_cli import irp


def test_add_test_deliver_and_status(sqlite_url: str) -> None:
    assert irp("demo", db=sqlite_url)[0] == 0
    with receiver() as rx:
        code, out, err = irp("notify", "add", rx.url, "--name", "team hook", db=sqlite_url)
        assert code == 0, err
        secret = next(line.split(": ")[-1] for line in out.splitlines() if "secret" in line)
        assert secret.startswith("whsec_")
        rx.secret = secret
        code, out, _ = irp("notify", "list", "--json", db=sqlite_url)
        assert code == 0 and secret not in out and json.loads(out)[0]["name"] == "team hook"
        code, out, err = irp("notify", "test", "team hook", db=sqlite_url)
        assert code == 0, err
        assert "HTTP 200" in out and rx.verified == 1
        assert rx.requests[0]["body"]["data"]["summary"] == "[Test] ir-pipeline → team hook"
        code, out, _ = irp("notify", "scan", db=sqlite_url)  # the demo has overdue follow-ups
        assert code == 0
        rx.script = [Answer(400)]
        code, out, err = irp("notify", "deliver", "--once", db=sqlite_url)
        assert code == 0, err
        assert "1 failed" in out and rx.rejected == 0
        code, out, _ = irp("notify", "status", "--json", db=sqlite_url)
        status = json.loads(out)
        assert status["endpoints"][0]["failed"] == 1 and status["problems"][0]["last_status"] == 400
        code, out, err = irp("notify", "retry", str(status["problems"][0]["id"]), db=sqlite_url)
        assert code == 0 and "1 delivered" in out, err
    code, _out, err = irp("notify", "add", "ftp://example.org", "--name", "x", db=sqlite_url)
    assert code == 1 and err.count("\n") == 1 and "http" in err
    code, _out, err = irp("notify", "add", "https://h/x", "--name", "y", "--format", "fax", db=sqlite_url)
    assert code == 1 and "unknown format" in err
    code, out, err = irp(
        "notify", "add", "https://hooks.slack.com/services/T/B/x", "--format", "slack", db=sqlite_url
    )
    assert code == 0 and "'hooks.slack.com' (slack)" in out and "secret" not in out, err
    code, _out, err = irp("--as", "manager", "notify", "list", db=sqlite_url)
    assert code == 1 and "only staff" in err
    code, _out, err = irp("notify", "remove", "team hook", db=sqlite_url)
    assert code == 1 and "--yes" in err
    code, _out, err = irp("notify", "remove", "team hook", "--yes", db=sqlite_url)
    assert code == 0, err
    assert [e["name"] for e in json.loads(irp("notify", "list", "--json", db=sqlite_url)[1])] == [
        "hooks.slack.com"
    ]


def test_deliver_always_says_what_it_did(sqlite_url: str) -> None:
    """Nothing due is an answer too: no endpoint yet, or nothing due to the ones there are."""
    assert irp("demo", db=sqlite_url)[0] == 0
    code, out, _ = irp("notify", "deliver", db=sqlite_url)
    assert code == 0 and "Nothing sent: no endpoint is enabled" in out
    with receiver() as rx:
        assert irp("notify", "add", rx.url, "--name", "hook", db=sqlite_url)[0] == 0
        code, out, _ = irp("notify", "deliver", db=sqlite_url)
        assert code == 0 and "Nothing sent: no notice is due to 1 endpoint" in out
        assert irp("notify", "scan", db=sqlite_url)[0] == 0  # the demo's overdue follow-ups
        code, out, _ = irp("notify", "deliver", db=sqlite_url)
        assert code == 0 and " sent: " in out and "delivered" in out and len(rx.requests) >= 1
