"""The share server under a crowd: 50 viewers at once open one startup's link on a data set, and
each page's time (median and p95, over HTTP through uvicorn) is set against the same page
rendered in-process (the honest floor: no network, no server); the server's peak RSS beside.

SQLite only: on PostgreSQL the server connects as a portal login, which the bench's data sets
(built as the superuser) do not have.
"""

from __future__ import annotations

import resource
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import uvicorn

from bench.figures import Goal, Result
from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.enums import Role, ShareKind
from ir_pipeline.services import share_links
from ir_pipeline.web.app import make_app, page_of
from ir_pipeline.web.guard import Attempts

VIEWERS = 50
PAGES_EACH = 4
STAFF = Actor(name="bench", role=Role.STAFF)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def share_figures(url: str, db: str, size: str) -> list[Result]:
    if db != "sqlite":
        return []
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        made = share_links.create_link(session, actor=STAFF, kind=ShareKind.STARTUP, name="", target_id=1)
    with read_only(engine) as session:
        scope = share_links.open_token(session, made.token)
    assert scope is not None
    in_process = []
    for _ in range(10):
        start = time.perf_counter()
        with read_only(engine) as session:
            page_of(session, scope)
        in_process.append(time.perf_counter() - start)
    port = _free_port()
    config = uvicorn.Config(
        make_app(engine, attempts=Attempts(most=10**9)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    page = f"http://127.0.0.1:{port}/share/{made.token}"

    def viewer(_: int) -> list[float]:
        times = []
        with httpx.Client(timeout=120) as client:
            for _ in range(PAGES_EACH):
                start = time.perf_counter()
                assert client.get(page).status_code == 200
                times.append(time.perf_counter() - start)
        return times

    try:
        viewer(0)  # warm
        with ThreadPoolExecutor(VIEWERS) as pool:
            times = [t for each in pool.map(viewer, range(VIEWERS)) for t in each]
    finally:
        server.should_exit = True
        thread.join(30)
        engine.dispose()
    alone = statistics.median(in_process)
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB → MB on Linux
    print(
        f"  share page, {VIEWERS} viewers: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms,"
        f" in-process {alone * 1000:.0f} ms, RSS {rss:.0f} MB",
        flush=True,
    )
    name = f"share page, {VIEWERS} viewers at once"
    return [
        Result(f"{name}: median", db, size, median, alone, "same page in-process", Goal("info", 0)),
        Result(f"{name}: p95", db, size, p95, alone, "same page in-process", Goal("info", 0)),
        Result("share server peak RSS", db, size, rss, None, "", Goal("info", 0), unit="MB"),
    ]
