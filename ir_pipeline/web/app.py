"""The server behind share links: one read-only page per live link, nothing else.

``GET /share/{token}`` shows what the token opens (a startup's investor interest, or an event's
funnel) as the same HTML the reports are, so the page and the report are one design, print to
A4 the same way and need no script. The token is looked up by its hash (``services.share_links``);
a startup's page is built as that startup's own user would see it (its rows only, shared notes
only), an event's as a reader of that one event; on PostgreSQL the portal login's policies scope
every read to the link besides (:mod:`ir_pipeline.portal_sql`). Every view is kept. A token
that opens nothing, whatever it is, gets the same plain 404 page, and an address that keeps
guessing is slowed down (``guard.Attempts``). Database work runs in Starlette's thread pool,
one short transaction each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from ir_pipeline import portal_sql
from ir_pipeline.actors import Actor
from ir_pipeline.clock import wall_clock
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.enums import Role, ShareKind
from ir_pipeline.errors import IrpError
from ir_pipeline.io.reports import event_report_of, render, startup_report_of
from ir_pipeline.services import share_links
from ir_pipeline.web.guard import HEADERS, Attempts, policy

NOT_FOUND = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><p>This link does not open anything. Ask the person who sent it for a new one.</p></body></html>
"""
TOO_MANY = "Too many attempts from this address: try again later.\n"


def _answer(response: Response) -> Response:
    response.headers.update(HEADERS)
    if response.media_type == "text/html":
        response.headers["content-security-policy"] = policy(bytes(response.body).decode())
    return response


def _not_found() -> Response:
    return _answer(HTMLResponse(NOT_FOUND, status_code=404))


def reader_of(scope: share_links.LinkScope) -> Actor:
    """Who a link's page is built as: the startup's own user for a startup link (so every query
    keeps to its rows and its shared notes), a reader of figures for an event link."""
    name = f"share link #{scope.link_id}"
    if scope.kind is ShareKind.STARTUP:
        return Actor(name=name, role=Role.STARTUP, startup_id=scope.startup_id)
    return Actor(name=name, role=Role.MANAGER)


def page_of(session: Session, scope: share_links.LinkScope) -> str:
    """The HTML of what ``scope`` opens (in the transaction that opened the token)."""
    actor = reader_of(scope)
    if scope.kind is ShareKind.STARTUP:
        assert scope.startup_id is not None
        return render(startup_report_of(session, actor=actor, startup_id=scope.startup_id), "html")
    assert scope.event_id is not None
    return render(event_report_of(session, actor=actor, event_id=scope.event_id), "html")


def present(session: Session, token: str) -> None:
    """On PostgreSQL, give this transaction the token's hash: what the portal login's policies
    admit rows by (nothing to do on SQLite, where the application scopes)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.select(sa.func.set_config(portal_sql.SETTING, share_links.token_hash(token), True))
        )


def opened(session: Session, token: str, now: datetime) -> share_links.LinkScope | None:
    """What ``token`` opens, in this transaction. On PostgreSQL the server's portal login cannot
    read the links: the token's hash goes into the transaction-local setting its policies read,
    and the database's definer functions say which link, startup or event it names (nothing, for
    a token that names no live link), so every later read of the request is scoped by them."""
    if session.get_bind().dialect.name != "postgresql":
        return share_links.open_token(session, token, now=now)
    if not share_links.plausible(token):
        return None
    present(session, token)
    link, startup, event = session.execute(
        sa.select(sa.func.irp_share_link(), sa.func.irp_share_startup(), sa.func.irp_share_event())
    ).one()
    if link is None:
        return None
    kind = ShareKind.STARTUP if startup is not None else ShareKind.EVENT
    return share_links.LinkScope(int(link), kind, startup, event)


def make_app(
    engine: Engine,
    *,
    attempts: Attempts | None = None,
    now: Callable[[], datetime] = wall_clock,
) -> Starlette:
    """The app for ``engine``'s database (``irp serve`` runs it under uvicorn; tests too)."""
    guard = attempts or Attempts()

    def share(request: Request) -> Response:  # sync: Starlette runs it in its thread pool
        address = request.client.host if request.client else ""
        wait = guard.blocked_for(address)
        if wait:
            answer = _answer(PlainTextResponse(TOO_MANY, status_code=429))
            answer.headers["retry-after"] = str(int(wait))
            return answer
        token = str(request.path_params["token"])
        with read_only(engine) as session:
            scope = opened(session, token, now())
            if scope is None:
                guard.failed(address)
                return _not_found()
            try:
                html = page_of(session, scope)
            except IrpError:  # its startup or event is gone: the link opens nothing now
                return _not_found()
        with unit_of_work(engine) as session:
            present(session, token)  # the portal's policy admits a view of this link only
            share_links.record_view(session, scope=scope, address=address, page=request.url.path[:7] + "…")
        return _answer(HTMLResponse(html))

    def health(_request: Request) -> Response:
        return _answer(PlainTextResponse("ok\n"))

    async def missing(_request: Request, _error: Exception) -> Response:
        return _not_found()

    app = Starlette(
        routes=[Route("/share/{token}", share, methods=["GET"]), Route("/healthz", health, methods=["GET"])],
        exception_handlers={404: missing, 405: missing},
    )
    app.router.redirect_slashes = False  # an address that opens nothing is a 404, never a redirect
    return app
