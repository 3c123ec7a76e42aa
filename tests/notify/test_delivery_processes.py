"""Deliverers as separate processes, as a team runs them: two at once never send a notice twice,
and one killed with SIGKILL while sending loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.clock import wall_clock
from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.models import DeliveryStatus, EndpointFormat, NotifyDelivery
from ir_pipeline.notify.delivery import LEASE, deliver_pass, make_client
from ir_pipeline.notify.endpoints import add_endpoint
from ir_pipeline.notify.events import Notice, write
from tests.conftest import OWNER, STAFF, as_owner, owner_url
from tests.notify.receiver import Answer, Receiver, receiver

IRP = str(Path(sys.executable).with_name("irp"))


def _notices(engine: Engine, n: int) -> None:
    """Notices straight into the outbox, as the owner: on PostgreSQL the database refuses a notice
    from any other login that no change of its transaction made true (these are about nothing)."""
    notices = [Notice("loi.received", None, {"n": i}, f"[LOI] #{i}") for i in range(n)]
    if engine.dialect.name == "sqlite":
        with unit_of_work(engine) as session:
            write(session.connection(), notices, actor=STAFF.name)
        return
    url = owner_url(engine.url.render_as_string(hide_password=False))
    with as_owner():
        owner = make_engine(url)
        with unit_of_work(owner) as session:
            write(session.connection(), notices, actor=OWNER)
        owner.dispose()


def _deliverer(url: str, *options: str, **settings: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IRP_DATABASE_URL": url, **settings}
    env.pop("IRP_TODAY", None)  # real time: the leases and the signatures are compared with it
    return subprocess.Popen(
        [IRP, "notify", "deliver", "--watch", "--every", "0.2", *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {seconds} s")


def _statuses(engine: Engine) -> dict[str, int]:
    with read_only(engine) as s:
        rows = s.execute(
            sa.select(sa.type_coerce(NotifyDelivery.status, sa.String), sa.func.count()).group_by(  # type: ignore[arg-type]
                NotifyDelivery.status  # type: ignore[arg-type]
            )
        ).all()
    return {str(k): int(v) for k, v in rows}


@pytest.fixture
def pg_engine(pg_db: str) -> Iterator[Engine]:
    engine = make_engine(pg_db)
    yield engine
    engine.dispose()


def _endpoint(engine: Engine, rx: Receiver) -> None:
    with unit_of_work(engine) as s:
        rx.secret = add_endpoint(
            s, actor=STAFF, name="hook", url=rx.url, format=EndpointFormat.STANDARD
        ).secret


@pytest.mark.postgres
def test_two_deliverers_send_each_of_a_thousand_notices_once(pg_db: str, pg_engine: Engine) -> None:
    with receiver() as rx:
        _endpoint(pg_engine, rx)
        rx.script = [Answer(200, delay=0.005)] * 1000  # a slow receiver
        _notices(pg_engine, 1000)
        workers = [_deliverer(pg_db), _deliverer(pg_db)]
        try:
            _wait_for(lambda: len(rx.requests) >= 1000, 120)
            _wait_for(lambda: _statuses(pg_engine) == {DeliveryStatus.DELIVERED.value: 1000}, 30)
        finally:
            for w in workers:
                w.terminate()
            errors = [w.communicate(timeout=30)[1].decode() for w in workers]
    assert len(rx.requests) == 1000, "a notice was sent twice"
    assert len(rx.delivered_ids) == 1000 and rx.verified == 1000
    assert all("Traceback" not in e for e in errors), errors


@pytest.mark.postgres
def test_a_deliverer_killed_while_sending_loses_nothing(pg_db: str, pg_engine: Engine) -> None:
    with receiver() as rx:
        _endpoint(pg_engine, rx)
        rx.script = [Answer(200, delay=3.0)] * 5  # the first sends hang: the process is killed in them
        _notices(pg_engine, 5)
        worker = _deliverer(pg_db)
        try:
            # two of its four senders (one endpoint's share) have each claimed one and are sending
            _wait_for(lambda: len(_taken(pg_engine)) == 2, 30)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        assert _statuses(pg_engine) == {DeliveryStatus.PENDING.value: 5}
        rx.script = []
        later = wall_clock() + LEASE + timedelta(seconds=1)  # once the killed process's lease is over
        with make_client(httpx.Timeout(5.0)) as client:
            report = deliver_pass(
                lambda: unit_of_work(pg_engine), actor=STAFF, client=client, now=lambda: later
            )
        assert report.delivered == 5
    assert _statuses(pg_engine) == {DeliveryStatus.DELIVERED.value: 5}
    assert len(rx.delivered_ids) == 5


def _taken(engine: Engine) -> list[int]:
    with read_only(engine) as s:
        return list(
            s.execute(
                sa.select(NotifyDelivery.id).where(NotifyDelivery.claimed_until.is_not(None))  # type: ignore[arg-type,union-attr]
            ).scalars()
        )


@pytest.mark.parametrize(
    ("slow", "answer", "wait"),
    [
        # answers each POST after 9 s, under the 10 s read wait: each send outlasts the lease
        ("answers after 9 s", Answer(200, delay=9.0), "10"),
        # one byte every 4 s, under a 5 s read wait: no wait ever trips, the body is read 7.5 s
        ("drips a byte every 4 s", Answer(200, drip=4.0), "5"),
    ],
    ids=["late", "drip"],
)
def test_two_deliverers_and_a_slow_receiver_send_120_notices_once_each(
    db_url: str, engine: Engine, slow: str, answer: Answer, wait: str
) -> None:
    """The measured case: two ``irp notify deliver --watch`` processes, 120 notices and a
    receiver that takes 9 s per answer (or drips it). Leases of 3 s, far shorter than a send:
    each claim is renewed while its send is in flight and recorded when it ends, so nothing is
    taken over and sent again, and nothing is lost. 64 senders a process keep it short."""
    count = 120
    with receiver() as rx:
        _endpoint(engine, rx)
        rx.script = [answer] * count
        _notices(engine, count)
        settings = {"IRP_NOTIFY_LEASE": "3", "IRP_NOTIFY_TIMEOUT": wait}
        workers = [_deliverer(db_url, "--senders", "64", **settings) for _ in range(2)]
        try:
            _wait_for(lambda: _statuses(engine) == {DeliveryStatus.DELIVERED.value: count}, 120)
        finally:
            for w in workers:
                w.terminate()
            errors = [w.communicate(timeout=30)[1].decode() for w in workers]
    ids = [r["headers"]["webhook-id"] for r in rx.requests]
    assert len(ids) == count and len(set(ids)) == count, f"{slow}: {len(ids) - len(set(ids))} sent twice"
    assert len(rx.delivered_ids) == count and rx.verified == count
    assert all("Traceback" not in e for e in errors), errors
