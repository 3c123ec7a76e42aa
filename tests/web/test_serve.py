"""``irp serve`` as a founder's browser meets it: a real uvicorn server on 127.0.0.1 answering
real HTTP. A startup's link shows that startup's figures and shared notes, nothing of another
company and no internal note; an event's link shows its funnel; anything else, however it is
tampered with, gets the same plain 404; guessing is slowed; a revoked link stops at once; every
view is kept; every page carries the headers a private page needs."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.enums import ShareKind
from ir_pipeline.services import deals, followups, share_links
from ir_pipeline.web.app import NOT_FOUND
from ir_pipeline.web.guard import Attempts
from tests.conftest import STAFF, fresh_sqlite_url
from tests.test_cli import irp
from tests.web.pages import serving
from tests.web.tampering import OTHERS, tamper

INTERNAL, SHARED = "INTERNAL-valuation-gap", "SHARED-send-the-deck"


@pytest.fixture
def demo(sqlite_demo_template: Path, tmp_path: Path) -> str:
    return fresh_sqlite_url(sqlite_demo_template, tmp_path)


@pytest.fixture
def engine(demo: str) -> Iterator[Engine]:
    made = make_engine(demo)
    yield made
    made.dispose()


class Served:
    def __init__(self, url: str, attempts: Attempts) -> None:
        self.url, self.attempts = url, attempts

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10)


@pytest.fixture
def served(engine: Engine) -> Iterator[Served]:
    attempts = Attempts(most=5, window=3600)
    with serving(engine, attempts) as base:
        yield Served(base, attempts)


def link(engine: Engine, kind: ShareKind, name: str) -> share_links.CreatedLink:
    with unit_of_work(engine) as session:
        return share_links.create_link(session, actor=STAFF, kind=kind, name=name)


def test_a_startup_link_shows_its_figures_and_shared_notes_only(
    engine: Engine, served: Served, demo: str
) -> None:
    with unit_of_work(engine) as session:  # notes on GreenGrid's deal #1: one internal, one shared
        deals.update_deal(session, actor=STAFF, deal_id=1, notes=INTERNAL)
        deals.update_deal(session, actor=STAFF, deal_id=2, notes="SHARED-deal-note", notes_shared=True)
        followups.add_follow_up(
            session, actor=STAFF, deal_id=1, draft=FollowUpDraft(date(2018, 10, 20), note=SHARED, shared=True)
        )
        followups.add_follow_up(
            session, actor=STAFF, deal_id=1, draft=FollowUpDraft(date(2018, 10, 21), note=INTERNAL)
        )
    made = link(engine, ShareKind.STARTUP, "GreenGrid")
    page = served.get(f"/share/{made.token}")
    assert page.status_code == 200
    html = page.text
    figures = json.loads(irp("funnel", "--startup", "GreenGrid", "--json", db=demo)[1])["lois"]
    assert f"LOIs {figures['count']}건" in html and "21억 원" in html
    assert SHARED in html and "SHARED-deal-note" in html and INTERNAL not in html
    for other in OTHERS:
        assert other not in html
    for header, value in (
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
    ):
        assert page.headers[header] == value
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    code, out, _ = irp("share", "views", str(made.id), "--json", db=demo)
    assert code == 0
    (view,) = json.loads(out)
    assert view["address"] == "127.0.0.1" and made.token not in out  # the token is never kept


def test_an_event_link_shows_its_funnel(engine: Engine, served: Served) -> None:
    made = link(engine, ShareKind.EVENT, "WSCW")
    page = served.get(f"/share/{made.token}")
    assert page.status_code == 200 and "26건 · 8개사 · 171억 5천만 원" in page.text


def test_tampering_opens_nothing_and_guessing_is_slowed(engine: Engine, served: Served) -> None:
    made = link(engine, ShareKind.STARTUP, "GreenGrid")
    token = made.token
    tampered = [
        token[:-1],
        token + "A",
        token.swapcase(),
        secrets.token_urlsafe(32),
        f"{token}/../2",
        "1",
        "2 OR 1=1",
        "' OR '1'='1",
        "%00" + token,
        "..%2F..%2Fetc%2Fpasswd",
    ]
    answers = []
    for bad in tampered:
        served.attempts.most = 10_000  # every answer is read here; the slowing is checked below
        answers.append(served.get(f"/share/{bad}"))
    for path in ("/", "/share/", "/share", "/startup/2", f"/share/{token}?startup_id=2", "/healthz/../share"):
        answers.append(served.get(path))
    for answer in answers:
        assert answer.status_code in (200, 404), answer.status_code
        text = answer.text
        assert all(other not in text for other in OTHERS)
    assert [a.text for a in answers[: len(tampered)]] == [NOT_FOUND] * len(tampered)
    served.attempts.most = 3
    statuses = [served.get(f"/share/{secrets.token_urlsafe(32)}").status_code for _ in range(5)]
    assert statuses[-1] == 429
    slowed = served.get(f"/share/{token}")  # even a good token waits its turn from that address
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1


def test_a_revoked_link_stops_at_the_next_request(engine: Engine, served: Served, demo: str) -> None:
    made = link(engine, ShareKind.STARTUP, "GreenGrid")
    assert served.get(f"/share/{made.token}").status_code == 200
    assert irp("share", "revoke", str(made.id), db=demo)[0] == 0
    gone = served.get(f"/share/{made.token}")
    assert gone.status_code == 404 and gone.text == NOT_FOUND


def test_serve_listens_on_loopback_unless_told_and_only_on_sqlite(demo: str) -> None:
    code, _out, err = irp("serve", "--host", "0.0.0.0", db=demo)
    assert code == 1 and "--public" in err
    code, _out, err = irp("serve", "--host", "10.1.2.3", "--port", "1", db=demo)
    assert code == 1 and "HTTPS reverse proxy" in err


def test_a_thousand_tampering_attempts_show_no_other_company(engine: Engine, served: Served) -> None:
    """Other ids in the path and the query, altered, truncated, expired and made-up tokens,
    another startup's token with this one's id, SQL and path payloads: 1,000 requests, and not
    one answer holds a company other than the one its token names."""
    served.attempts.most = 10**6  # every answer is read here; the slowing has its own test
    mine = link(engine, ShareKind.STARTUP, "GreenGrid")
    theirs = link(engine, ShareKind.STARTUP, "WindCell")
    expired = link(engine, ShareKind.STARTUP, "AirSense")
    with unit_of_work(engine) as session:  # its time is up
        session.execute(
            sa.text("UPDATE share_link SET expires_at = '2000-01-01' WHERE id = :id"), {"id": expired.id}
        )
    assert tamper(served.url, mine.token, theirs.token, expired.token) == 0
