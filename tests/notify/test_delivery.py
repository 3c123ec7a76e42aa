"""Delivering notices over real HTTP to receivers on 127.0.0.1 started here (no mock transport):
retries, backoff, Retry-After, 410, signatures, the chat formats, on both databases.

Time is a clock the test moves (``now``), so retries are due when the test says, without sleeping;
only the read-timeout test waits, for the timeout itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.errors import Invalid
from ir_pipeline.models import DeliveryStatus, EndpointFormat, NotifyAttempt, NotifyDelivery, NotifyEndpoint
from ir_pipeline.notify import formats, retries
from ir_pipeline.notify.delivery import NO_ANSWER, PassReport, deliver_pass, make_client
from ir_pipeline.notify.endpoints import AddedEndpoint, add_endpoint, list_endpoints
from ir_pipeline.notify.retries import MAX_ATTEMPTS
from ir_pipeline.notify.status import delivery_status, retry_delivery
from tests.conftest import STAFF
from tests.helpers import add_loi, seed
from tests.notify.receiver import Answer, free_port, receiver

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def later(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def endpoint(
    engine: Engine, url: str, fmt: EndpointFormat = EndpointFormat.STANDARD, **kw: object
) -> AddedEndpoint:
    with unit_of_work(engine) as s:
        return add_endpoint(s, actor=STAFF, name=kw.pop("name", "hook"), url=url, format=fmt, **kw)  # type: ignore[arg-type]


def run(engine: Engine, clock: Clock, client: httpx.Client | None = None) -> PassReport:
    own = client is None
    client = client or make_client(httpx.Timeout(2.0))
    try:
        return deliver_pass(lambda: unit_of_work(engine), actor=STAFF, client=client, now=clock)
    finally:
        if own:
            client.close()


def deliveries(engine: Engine) -> list[NotifyDelivery]:
    with read_only(engine) as s:
        return list(s.execute(sa.select(NotifyDelivery).order_by(NotifyDelivery.id)).scalars())  # type: ignore[arg-type]


def markdown_shown(text: str) -> str:
    """What a Markdown reader shows of ``text`` (markdown-it, as chat tools render it)."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("gfm-like").render(text)
    assert html.startswith("<p>") and html.endswith("</p>\n"), html
    import html as entities

    return entities.unescape(html[3:-5])


@pytest.fixture
def deal(engine: Engine) -> int:
    return seed(engine, STAFF).deal_id


def test_receiver_down_then_up_gets_every_notice_once(engine: Engine, deal: int) -> None:
    clock, port = Clock(), free_port()
    added = endpoint(engine, f"http://127.0.0.1:{port}/hook")
    for amount in ("1억", "2억", "3억"):
        add_loi(engine, STAFF, deal, amount)  # 3 LOIs, and the deal's move with the first
    down = run(engine, clock)
    assert (down.queued, down.sent, down.retrying) == (4, 4, 4)
    assert all(d.status is DeliveryStatus.PENDING and d.attempts == 1 for d in deliveries(engine))
    # the same words for a closed port as for any failed connection: managers read them
    assert all(d.last_error == NO_ANSWER for d in deliveries(engine))
    with receiver(port, secret=added.secret) as rx:
        assert run(engine, clock).sent == 0  # not due yet: backing off
        clock.later(minutes=1)
        up = run(engine, clock)
        assert (up.sent, up.delivered) == (4, 4)
        clock.later(hours=2)
        assert run(engine, clock).sent == 0  # delivered is delivered
    assert rx.verified == 4 and rx.rejected == 0
    assert len(rx.delivered_ids) == 4
    types = [r["body"]["type"] for r in rx.requests]
    assert sorted(types) == ["deal.moved", "loi.received", "loi.received", "loi.received"]


def test_server_errors_are_retried_under_the_same_id_until_delivered(engine: Engine, deal: int) -> None:
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url, events="loi.received").secret
        rx.script = [Answer(500), Answer(502), Answer(503), Answer(200)]
        add_loi(engine, STAFF, deal)
        for _ in range(6):
            run(engine, clock)
            clock.later(hours=1)
    ids = [r["headers"]["webhook-id"] for r in rx.requests]
    assert len(ids) == 4 and len(set(ids)) == 1  # three refusals, then accepted: four tries, one id
    assert rx.verified == len(rx.requests)
    with read_only(engine) as s:
        tries = (
            s.execute(
                sa.select(NotifyAttempt.status_code).order_by(NotifyAttempt.id)  # type: ignore[arg-type]
            )
            .scalars()
            .all()
        )
    assert tries[:4] == [500, 502, 503, 200]
    assert all(d.status is DeliveryStatus.DELIVERED for d in deliveries(engine))


def test_a_hang_past_the_read_timeout_is_retried(engine: Engine, deal: int) -> None:
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url, events="loi.received").secret
        rx.script = [Answer(200, delay=1.0)]
        add_loi(engine, STAFF, deal)
        with make_client(httpx.Timeout(5.0, read=0.3)) as client:
            hung = run(engine, clock, client)
            assert hung.retrying == 1
            assert hung.outcomes[0][1].error.startswith("timed out")
            clock.later(minutes=1)
            assert run(engine, clock, client).delivered == 1
    assert len(rx.delivered_ids) == 1


def test_a_refusal_is_not_retried_until_asked(engine: Engine, deal: int) -> None:
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url, events="loi.*").secret
        rx.script = [Answer(400)]
        add_loi(engine, STAFF, deal)
        assert run(engine, clock).failed == 1
        clock.later(days=1)
        assert run(engine, clock).sent == 0
        with read_only(engine) as s:
            problems = delivery_status(s, actor=STAFF).problems
        assert [(p.status, p.last_status, p.attempts) for p in problems] == [(DeliveryStatus.FAILED, 400, 1)]
        with unit_of_work(engine) as s:
            retry_delivery(s, actor=STAFF, delivery_id=problems[0].id)
        assert run(engine, clock).delivered == 1
    with pytest.raises(Invalid, match="delivered"), unit_of_work(engine) as s:
        retry_delivery(s, actor=STAFF, delivery_id=problems[0].id)


def test_429_waits_for_its_retry_after(engine: Engine, deal: int) -> None:
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url, events="loi.received").secret
        rx.script = [Answer(429, {"Retry-After": "1"})]
        add_loi(engine, STAFF, deal)
        assert run(engine, clock).retrying == 1
        assert deliveries(engine)[0].next_attempt_at == START + timedelta(seconds=1)
        clock.later(seconds=0.5)
        assert run(engine, clock).sent == 0
        clock.later(seconds=0.5)
        assert run(engine, clock).delivered == 1


def test_410_gone_disables_the_endpoint(engine: Engine, deal: int) -> None:
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url).secret
        rx.script = [Answer(410)] * 2
        add_loi(engine, STAFF, deal)
        report = run(engine, clock)
        assert report.failed >= 1
    with read_only(engine) as s:
        (hook,) = list_endpoints(s, actor=STAFF)
    assert not hook.active and "410" in hook.disabled_reason


def test_dead_after_the_last_attempt(engine: Engine, deal: int) -> None:
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url, events="loi.received").secret
        rx.script = [Answer(503)] * MAX_ATTEMPTS
        add_loi(engine, STAFF, deal)
        sent_at = []
        for _ in range(MAX_ATTEMPTS + 2):
            if run(engine, clock).sent:
                sent_at.append(clock.now)
            clock.later(minutes=1)
            while deliveries(engine)[0].status is DeliveryStatus.PENDING and (
                deliveries(engine)[0].next_attempt_at > clock.now
            ):
                clock.now = deliveries(engine)[0].next_attempt_at
    (d,) = deliveries(engine)
    assert (d.status, d.attempts) == (DeliveryStatus.DEAD, MAX_ATTEMPTS)
    assert len(rx.requests) == MAX_ATTEMPTS == 8
    # the Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each up to a
    # tenth more (and the minute this test lets pass after each try): dead after about a day
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    for gap, step in zip(gaps, retries.SCHEDULE, strict=True):
        assert step <= gap <= step * 1.1 + timedelta(minutes=1)
    assert timedelta(hours=27) < sent_at[-1] - sent_at[0] < timedelta(hours=32)


def test_a_receiver_has_the_specs_15_seconds_to_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    with make_client() as client:
        assert (client.timeout.read, client.timeout.write) == (15.0, 15.0)
    monkeypatch.setenv("IRP_NOTIFY_TIMEOUT", "30")
    with make_client() as client:
        assert client.timeout.read == 30.0


def test_the_retry_schedule_is_configurable_and_checked(
    engine: Engine, deal: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRP_NOTIFY_RETRIES", "10s,1m")
    clock = Clock()
    with receiver() as rx:
        rx.secret = endpoint(engine, rx.url, events="loi.received").secret
        rx.script = [Answer(503)] * 5
        add_loi(engine, STAFF, deal)
        for _ in range(5):
            run(engine, clock)
            clock.later(minutes=2)
    assert (deliveries(engine)[0].status, len(rx.requests)) == (DeliveryStatus.DEAD, 3)
    for bad in ("soon", "5s,,1h", "0s", "8d", ",".join(["1s"] * 21)):
        monkeypatch.setenv("IRP_NOTIFY_RETRIES", bad)
        with pytest.raises(Invalid, match="IRP_NOTIFY_RETRIES"):
            run(engine, clock)


def test_a_tampered_body_or_timestamp_fails_verification() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    at = datetime.now(UTC)
    request = formats.build(
        EndpointFormat.STANDARD, event_id="evt_1", payload='{"type":"loi.received"}', secret=secret, at=at
    )
    hook = Webhook(secret)
    assert hook.verify(request.body, request.headers) == {
        "type": "loi.received",
        "timestamp": None,
        "data": {"record": {}},
    }
    with pytest.raises(WebhookVerificationError):
        hook.verify(b'{"type":"loi.withdrawn"}', request.headers)
    moved = request.headers | {"webhook-timestamp": str(int(at.timestamp()) + 60)}
    with pytest.raises(WebhookVerificationError):
        hook.verify(request.body, moved)


@pytest.mark.parametrize(
    ("fmt", "read"),
    [
        (EndpointFormat.SLACK, lambda body: body["blocks"][0]["text"]["text"]),
        (
            EndpointFormat.TEAMS,
            lambda body: body["attachments"][0]["content"]["body"][0]["inlines"][0]["text"],
        ),
        (EndpointFormat.JANDI, lambda body: markdown_shown(body["body"])),
    ],
)
def test_chat_formats_carry_the_summary(
    engine: Engine, deal: int, fmt: EndpointFormat, read: Callable[[dict[str, object]], str]
) -> None:
    with receiver() as rx:
        added = endpoint(engine, rx.url, fmt, events="loi.received")
        assert added.secret is None
        add_loi(engine, STAFF, deal, "1.5억")
        assert run(engine, Clock()).delivered == 1
    (request,) = rx.requests
    assert read(request["body"]) == "[LOI] (주)그린그리드 ← Hanbit Ventures 1억 5천만 원 (Common shares)"
    if fmt is EndpointFormat.JANDI:
        assert request["headers"]["accept"] == "application/vnd.tosslab.jandi-v2+json"


def test_endpoints_are_checked_and_scoped(engine: Engine, deal: int) -> None:
    for bad in ("ftp://example.org/x", "not a url", "http://"):
        with pytest.raises(Invalid), unit_of_work(engine) as s:
            add_endpoint(s, actor=STAFF, name="x", url=bad, format=EndpointFormat.SLACK)
    with pytest.raises(Invalid, match="unknown notice type"), unit_of_work(engine) as s:
        add_endpoint(s, actor=STAFF, name="x", url="https://h/x", format=EndpointFormat.SLACK, events="lol.*")
    with receiver() as rx:
        endpoint(engine, rx.url, EndpointFormat.SLACK, name="other", startup_id=None, events="deal.*")
        with unit_of_work(engine) as s:  # a startup's own channel gets only its deals' notices
            from ir_pipeline.drafts import StartupDraft
            from ir_pipeline.services import records

            other = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Other Co"))
        endpoint(engine, rx.url, EndpointFormat.SLACK, name="theirs", startup_id=other.id)
        add_loi(engine, STAFF, deal)
        run(engine, Clock())
    assert [r["body"]["text"] for r in rx.requests] == [
        "[Deal] (주)그린그리드 ← Hanbit Ventures Sourced → LOI: LOI received"
    ]
    with read_only(engine) as s:
        hooks = {h.name: h for h in list_endpoints(s, actor=STAFF)}
    assert set(hooks) == {"other", "theirs"}
    with read_only(engine) as s:
        stored = s.execute(sa.select(NotifyEndpoint.secret)).scalars().all()  # type: ignore[call-overload]
    assert stored == [None, None]  # chat endpoints have no secret


def test_a_receiver_that_drips_its_headers_is_cut_off_and_tried_again(engine: Engine, deal: int) -> None:
    """httpx's timeouts bound each wait; a receiver that sends a byte of its status line every
    tenth of a second would never trip them. The whole exchange has its own deadline."""
    import threading
    import time as clock_time
    from http.server import BaseHTTPRequestHandler

    from tests.local_http import serving

    hung_up = threading.Event()

    class Drip(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                for byte in b"HTTP/1.1 200 OK" * 100:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    clock_time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                hung_up.set()

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    endpoint(engine, f"http://127.0.0.1:{port}/hook")
    add_loi(engine, STAFF, deal, "1억")
    with serving(Drip, port), make_client(httpx.Timeout(0.5)) as client:
        start = clock_time.monotonic()
        report = run(engine, Clock(), client)
        took = clock_time.monotonic() - start
        # the cut exchange is hung up on, not left dripping in a thread of a --watch deliverer
        assert hung_up.wait(10)
        assert not [t for t in threading.enumerate() if t.name == "irp-http" and t.is_alive()]
    assert report.retrying == report.sent >= 1 and report.delivered == 0
    assert all("timed out" in outcome.error for _, outcome in report.outcomes)
    assert took < 10  # 0.5 s for each of connect, write and read, and the body's 0.75 s


def test_a_slow_receiver_never_holds_every_sender(engine: Engine, deal: int) -> None:
    """Four senders, a receiver that takes a second per notice and one that answers at once:
    the slow one is sent at most two at a time, so the fast one is never waiting behind it."""
    import threading
    import time as clock_time
    from http.server import BaseHTTPRequestHandler

    from tests.local_http import serving

    state = {"now": 0, "most": 0, "slow": 0, "fast": 0}
    lock = threading.Lock()

    def handler(kind: str, delay: float) -> type[BaseHTTPRequestHandler]:
        class Answer(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    state[kind] += 1
                    if kind == "slow":
                        state["now"] += 1
                        state["most"] = max(state["most"], state["now"])
                clock_time.sleep(delay)
                with lock:
                    if kind == "slow":
                        state["now"] -= 1
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Answer

    slow_port, fast_port = free_port(), free_port()
    endpoint(engine, f"http://127.0.0.1:{slow_port}/hook", name="slow")
    endpoint(engine, f"http://127.0.0.1:{fast_port}/hook", name="fast")
    for n in range(3):
        add_loi(engine, STAFF, deal, f"{n + 1}억")
    with (
        serving(handler("slow", 0.5), slow_port),
        serving(handler("fast", 0.0), fast_port),
        make_client(httpx.Timeout(5.0)) as client,
    ):
        report = deliver_pass(lambda: unit_of_work(engine), actor=STAFF, client=client, concurrency=4)
    assert report.delivered == report.sent == state["slow"] + state["fast"] and state["fast"] >= 4
    assert state["most"] <= 2  # half the senders at most, whatever the slow receiver does
