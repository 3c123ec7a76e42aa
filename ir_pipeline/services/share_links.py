"""Share links: making, listing and revoking them, and what a token opens.

A token is 32 random bytes (256 bits) from :mod:`secrets`, URL-safe; the database keeps only its
SHA-256, so a copy of the database opens no page. A token opens its page while it is neither
expired nor revoked; anything else (a token never made, one altered by a character, one past its
time) is the same "no such link", so nothing is learned by trying. Staff make and revoke links;
every view is kept with when, from where and which page. A link's times are the real clock's
(:func:`~ir_pipeline.clock.wall_clock`), never a database's own date: the people who open it live
in the present, even when the pipeline it shows is the demo's 2018.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.clock import wall_clock
from ir_pipeline.durations import parse_duration
from ir_pipeline.enums import ShareKind
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.lookup import resolve_event, resolve_startup
from ir_pipeline.models import Event, ShareLink, ShareView, Startup
from ir_pipeline.models.base import table_of
from ir_pipeline.services.common import free_text, start_write

#: A link lives 14 days unless asked otherwise (what investor tools give), at most a year.
DEFAULT_LIFE = timedelta(days=14)
SHORTEST, LONGEST = timedelta(hours=1), timedelta(days=365)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """What the database keeps of a token, and looks a request's token up by."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_life(text: str | None) -> timedelta:
    """``--expires 14d`` as a span (1 hour to a year); the default when not given."""
    if not text:
        return DEFAULT_LIFE
    return parse_duration(text, field="expires", shortest=SHORTEST, longest=LONGEST)


@dataclass(frozen=True, slots=True)
class CreatedLink:
    id: int
    #: Shown once, to the person who made the link: the database does not keep it.
    token: str
    kind: ShareKind
    name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LinkView:
    id: int
    kind: ShareKind
    name: str
    note: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    views: int
    last_view: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "live"


@dataclass(frozen=True, slots=True)
class ViewRow:
    at: datetime
    address: str
    page: str


@dataclass(frozen=True, slots=True)
class LinkScope:
    """What a valid token opens: one startup or one event."""

    link_id: int
    kind: ShareKind
    startup_id: int | None
    event_id: int | None


def create_link(
    session: Session,
    *,
    actor: Actor,
    kind: ShareKind,
    name: str,
    life: timedelta = DEFAULT_LIFE,
    note: str = "",
    target_id: int | None = None,
) -> CreatedLink:
    """A new link to the startup or event ``name`` (found as the CLI finds names), or to the one
    with ``target_id`` (the screen it is made from), for ``life``."""
    start_write(session, actor, "share links")
    if not SHORTEST <= life <= LONGEST:
        raise Invalid("a link lives from 1 hour to 365 days", field="expires")
    found: Startup | Event | None = None
    if target_id is not None:
        found = (
            session.get(Startup, target_id) if kind is ShareKind.STARTUP else session.get(Event, target_id)
        )
        if found is None:
            raise NotFound(f"no {kind.value} #{target_id}")
    if found is not None:
        target: Startup | Event = found
    elif kind is ShareKind.STARTUP:
        target = resolve_startup(session, name, actor=actor)
    else:
        target = resolve_event(session, name, actor=actor)
    assert target.id is not None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = wall_clock()
    link = ShareLink(
        token_hash=token_hash(token),
        kind=kind,
        startup_id=target.id if kind is ShareKind.STARTUP else None,
        event_id=target.id if kind is ShareKind.EVENT else None,
        note=free_text(note, field="note", what="the note"),
        created_by=actor.name,
        created_at=now,
        expires_at=now + life,
    )
    session.add(link)
    session.flush()
    assert link.id is not None
    return CreatedLink(link.id, token, kind, target.name, link.expires_at)


def revoke_link(session: Session, *, actor: Actor, link_id: int) -> LinkView:
    """Revoke a link: its page answers as a link never made from the next request on."""
    start_write(session, actor, "revoke links")
    link = session.get(ShareLink, link_id, with_for_update=True)
    if link is None:
        raise NotFound(f"no share link #{link_id}")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = wall_clock(), actor.name
        session.flush()
    return _views(session, [link_id])[0]


def list_links(session: Session, *, actor: Actor, live_only: bool = False) -> list[LinkView]:
    """Every link, newest first, with how often and when last it was viewed (staff only)."""
    actor.require_staff("list share links")
    query = select(col(ShareLink.id)).order_by(col(ShareLink.id).desc())
    if live_only:
        query = query.where(col(ShareLink.revoked_at).is_(None), col(ShareLink.expires_at) > wall_clock())
    return _views(session, [link_id for link_id in session.exec(query).all() if link_id is not None])


def link_views(session: Session, *, actor: Actor, link_id: int) -> list[ViewRow]:
    """Every view of one link, oldest first (staff only)."""
    actor.require_staff("read who viewed a link")
    if session.get(ShareLink, link_id) is None:
        raise NotFound(f"no share link #{link_id}")
    rows = session.execute(
        sa.select(col(ShareView.at), col(ShareView.address), col(ShareView.page))
        .where(col(ShareView.link_id) == link_id)
        .order_by(col(ShareView.at), col(ShareView.id))
    ).all()
    return [ViewRow(at, address, page) for at, address, page in rows]


def plausible(token: str) -> bool:
    """Whether ``token`` could be one of ours at all (a length a token has): anything else is not
    even looked up."""
    return 20 <= len(token) <= 100


def open_token(session: Session, token: str, *, now: datetime | None = None) -> LinkScope | None:
    """What ``token`` opens now, or ``None`` for a token never made, expired or revoked."""
    if not plausible(token):
        return None
    link = session.exec(select(ShareLink).where(ShareLink.token_hash == token_hash(token))).first()
    moment = now or wall_clock()
    if link is None or link.revoked_at is not None or link.expires_at <= moment:
        return None
    assert link.id is not None
    return LinkScope(link.id, link.kind, link.startup_id, link.event_id)


def record_view(session: Session, *, scope: LinkScope, address: str, page: str) -> None:
    """Keep one view of a link's page (by whoever serves it, in its own short transaction). A plain
    insert, reading nothing back: the portal login may add a view of its link, not read views."""
    views = table_of(ShareView)
    # written out, so no RETURNING of the new id is added (that would need reading views)
    insert = sa.text(
        "INSERT INTO share_view (link_id, at, address, page) VALUES (:link_id, :at, :address, :page)"
    ).bindparams(sa.bindparam("at", type_=views.c.at.type))
    session.execute(
        insert, {"link_id": scope.link_id, "at": wall_clock(), "address": address[:64], "page": page[:200]}
    )


def _views(session: Session, ids: list[int]) -> list[LinkView]:
    if not ids:
        return []
    counts = {
        link_id: (n, last)
        for link_id, n, last in session.execute(
            sa.select(col(ShareView.link_id), sa.func.count(), sa.func.max(col(ShareView.at)))
            .where(col(ShareView.link_id).in_(ids))
            .group_by(col(ShareView.link_id))
        ).all()
    }
    rows = session.execute(
        sa.select(ShareLink, col(Startup.name), col(Event.name))
        .outerjoin(Startup, col(Startup.id) == ShareLink.startup_id)
        .outerjoin(Event, col(Event.id) == ShareLink.event_id)
        .where(col(ShareLink.id).in_(ids))
        .order_by(col(ShareLink.id).desc())
    ).all()
    out = []
    for link, startup, event in rows:
        n, last = counts.get(link.id, (0, None))
        out.append(
            LinkView(
                link.id,
                link.kind,
                startup or event or "",
                link.note,
                link.created_by,
                link.created_at,
                link.expires_at,
                link.revoked_at,
                int(n),
                last,
            )
        )
    return out
