"""Share links: a 256-bit token shown once, only its hash kept; what a token opens while it is
live, and nothing once it is altered, cut short, expired or revoked; every view kept; staff only,
by the application and, on PostgreSQL, by the database's grants."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.clock import wall_clock
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.enums import ShareKind
from ir_pipeline.errors import Forbidden, Invalid
from ir_pipeline.services import share_links
from tests.conftest import MANAGER, STAFF
from tests.test_cli import irp


def make(
    engine: Engine, kind: ShareKind = ShareKind.STARTUP, name: str = "GreenGrid"
) -> share_links.CreatedLink:
    with unit_of_work(engine) as session:
        return share_links.create_link(session, actor=STAFF, kind=kind, name=name, note="for the CEO")


def opened(engine: Engine, token: str, **kw: object) -> share_links.LinkScope | None:
    with read_only(engine) as session:
        return share_links.open_token(session, token, **kw)  # type: ignore[arg-type]


def test_a_token_opens_its_startup_and_only_its_hash_is_kept(demo_engine: Engine) -> None:
    made = make(demo_engine)
    assert len(made.token) >= 43  # 32 random bytes, URL-safe
    scope = opened(demo_engine, made.token)
    assert scope is not None and scope.kind is ShareKind.STARTUP and scope.event_id is None
    with read_only(demo_engine) as session:
        from sqlmodel import select

        from ir_pipeline.models import ShareLink

        (link,) = session.exec(select(ShareLink)).all()
    assert link.token_hash == share_links.token_hash(made.token) and made.token not in link.token_hash
    if demo_engine.dialect.name == "sqlite":
        stored = Path(str(demo_engine.url.database)).read_bytes()
        assert made.token.encode() not in stored
    event = make(demo_engine, ShareKind.EVENT, "WSCW")
    scope = opened(demo_engine, event.token)
    assert scope is not None and scope.kind is ShareKind.EVENT and scope.startup_id is None


def test_an_altered_cut_expired_or_revoked_token_opens_nothing(demo_engine: Engine) -> None:
    made = make(demo_engine)
    token = made.token
    flipped = ("A" if token[5] != "A" else "B").join((token[:5], token[6:]))
    for bad in (flipped, token[:-1], token + "x", "", "x" * 43, token.upper(), f"{token}' OR '1'='1"):
        assert opened(demo_engine, bad) is None
    assert opened(demo_engine, token, now=made.expires_at + timedelta(seconds=1)) is None
    assert opened(demo_engine, token, now=made.expires_at - timedelta(seconds=1)) is not None
    with unit_of_work(demo_engine) as session:
        share_links.revoke_link(session, actor=STAFF, link_id=made.id)
    assert opened(demo_engine, token) is None


def test_every_view_is_kept_and_counted(demo_engine: Engine) -> None:
    made = make(demo_engine)
    scope = opened(demo_engine, made.token)
    assert scope is not None
    for page in ("/share/…", "/share/…/print"):
        with unit_of_work(demo_engine) as session:
            share_links.record_view(session, scope=scope, address="203.0.113.7", page=page)
    with read_only(demo_engine) as session:
        (listed,) = share_links.list_links(session, actor=STAFF)
        views = share_links.link_views(session, actor=STAFF, link_id=made.id)
    assert listed.views == 2 and listed.state(wall_clock()) == "live" and listed.note == "for the CEO"
    assert [(v.address, v.page) for v in views] == [
        ("203.0.113.7", "/share/…"),
        ("203.0.113.7", "/share/…/print"),
    ]


def test_only_staff_make_list_revoke_or_read_links(demo_engine: Engine) -> None:
    made = make(demo_engine)
    with pytest.raises(Forbidden), unit_of_work(demo_engine) as session:
        share_links.create_link(session, actor=MANAGER, kind=ShareKind.STARTUP, name="GreenGrid")
    with pytest.raises(Forbidden), read_only(demo_engine) as session:
        share_links.list_links(session, actor=MANAGER)
    with pytest.raises(Forbidden), read_only(demo_engine) as session:
        share_links.link_views(session, actor=MANAGER, link_id=made.id)
    with pytest.raises(Forbidden), unit_of_work(demo_engine) as session:
        share_links.revoke_link(session, actor=MANAGER, link_id=made.id)
    with pytest.raises(Invalid, match="1 hour to 365 days"), unit_of_work(demo_engine) as session:
        share_links.create_link(
            session, actor=STAFF, kind=ShareKind.STARTUP, name="GreenGrid", life=timedelta(days=400)
        )


def test_the_cli_prints_the_link_once_and_lists_revokes_and_refuses(
    demo_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRP_SHARE_URL", "https://ir.example.kr/")
    code, out, err = irp("share", "startup", "greengrid", "--expires", "2w", "--note", "CEO", db=demo_db_url)
    assert code == 0, err
    (url,) = out.split()
    assert url.startswith("https://ir.example.kr/share/") and "shown once" in err
    code, out, _ = irp("share", "list", "--json", db=demo_db_url)
    (listed,) = json.loads(out)
    assert (listed["kind"], listed["name"], listed["state"], listed["views"]) == (
        "startup",
        "GreenGrid (demo)",
        "live",
        0,
    )
    assert url.rsplit("/", 1)[1] not in out  # the token is never shown again
    assert irp("share", "revoke", str(listed["id"]), db=demo_db_url)[0] == 0
    assert json.loads(irp("share", "list", "--json", db=demo_db_url)[1])[0]["state"] == "revoked"
    assert json.loads(irp("share", "list", "--live", "--json", db=demo_db_url)[1]) == []
    refusals = [
        (("share", "startup", "greengrid", "--expires", "5y"), "expires is a span"),
        (("share", "startup", "nobody-at-all"), "no startup"),
    ]
    if demo_db_url.startswith("sqlite"):  # on PostgreSQL one acts as one's login (tests/team)
        refusals.append((("--as", "manager", "share", "list"), "only staff"))
    for args, says in refusals:
        code, out, err = irp(*args, db=demo_db_url)
        assert code == 1 and says in err and len(err.strip().splitlines()) == 1, (args, err)
    monkeypatch.setenv("IRP_SHARE_URL", "ftp://x")
    code, _out, err = irp("share", "event", "WSCW", db=demo_db_url)
    assert code == 1 and "IRP_SHARE_URL" in err
    assert len(json.loads(irp("share", "list", "--json", db=demo_db_url)[1])) == 1  # nothing written
