"""``irp share``: read-only links to one startup or one event for people outside the team."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo, print_json, print_table, table
from ir_pipeline.clock import format_local, wall_clock
from ir_pipeline.config import share_base_url
from ir_pipeline.enums import ShareKind
from ir_pipeline.services import share_links

app = typer.Typer(
    help="Read-only links to a startup or an event, for founders, managers and partners.",
    no_args_is_help=True,
    add_completion=False,
)

Expires = Annotated[
    str | None,
    typer.Option("--expires", help="How long the link works: 12h, 14d (default), 2w; at most 365d."),
]
Note = Annotated[str, typer.Option("--note", help="Whom it is for (shown to staff only).")]
Json = Annotated[bool, typer.Option("--json")]


def _create(
    ctx: typer.Context, kind: ShareKind, name: str, expires: str | None, note: str, json: bool
) -> None:
    app_ = cli_context(ctx)
    life = share_links.link_life(expires)
    base = share_base_url()  # a bad IRP_SHARE_URL is refused before anything is written
    with app_.write() as session:
        made = share_links.create_link(session, actor=app_.actor, kind=kind, name=name, life=life, note=note)
    url = f"{base}/share/{made.token}"
    if json:
        print_json(
            {"id": made.id, "kind": made.kind, "name": made.name, "url": url, "expires_at": made.expires_at}
        )
        return
    echo(url)
    echo(
        f"link #{made.id} to {made.name} ({made.kind.value}), until {format_local(made.expires_at)};"
        f" shown once: irp keeps only its hash (irp share revoke {made.id} ends it)",
        err=True,
    )


@app.command()
def startup(
    ctx: typer.Context, name: str, expires: Expires = None, note: Note = "", json: Json = False
) -> None:
    """A link to one startup's investor interest: its LOIs, stages, next steps (shared notes only)."""
    _create(ctx, ShareKind.STARTUP, name, expires, note, json)


@app.command()
def event(
    ctx: typer.Context, name: str, expires: Expires = None, note: Note = "", json: Json = False
) -> None:
    """A link to one event's funnel: conversion, drop-off and rankings, for a manager or partner."""
    _create(ctx, ShareKind.EVENT, name, expires, note, json)


@app.command("list")
def list_(
    ctx: typer.Context,
    live: Annotated[bool, typer.Option("--live", help="Only links that still work.")] = False,
    json: Json = False,
) -> None:
    """Every link, newest first: what it shows, until when, whether it was revoked, its views."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        links = share_links.list_links(session, actor=app_.actor, live_only=live)
    now = wall_clock()
    if json:
        print_json([{**_json(link), "state": link.state(now)} for link in links])
        return
    if not links:
        echo("No share links yet: irp share startup NAME makes one.")
        return
    t = table("#", "Shows", "For", "State", "Until", "Views", "Last view", "By", right=("#", "Views"))
    for link in links:
        t.add_row(
            str(link.id),
            f"{link.kind.value}: {link.name}",
            link.note,
            link.state(now),
            format_local(link.expires_at),
            str(link.views),
            format_local(link.last_view),
            link.created_by,
        )
    print_table(t)


def _json(link: share_links.LinkView) -> dict[str, object]:
    return {
        "id": link.id,
        "kind": link.kind,
        "name": link.name,
        "note": link.note,
        "created_by": link.created_by,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "views": link.views,
        "last_view": link.last_view,
    }


@app.command()
def revoke(ctx: typer.Context, link_id: int, json: Json = False) -> None:
    """End a link now: its page answers as a link never made."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        link = share_links.revoke_link(session, actor=app_.actor, link_id=link_id)
    if json:
        print_json({**_json(link), "state": "revoked"})
        return
    echo(f"link #{link.id} to {link.name} revoked")


@app.command()
def views(ctx: typer.Context, link_id: int, json: Json = False) -> None:
    """Every view of one link: when, from which address, which page."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        rows = share_links.link_views(session, actor=app_.actor, link_id=link_id)
    if json:
        print_json([{"at": r.at, "address": r.address, "page": r.page} for r in rows])
        return
    if not rows:
        echo(f"link #{link_id} has not been viewed")
        return
    t = table("When", "From", "Page")
    for r in rows:
        t.add_row(format_local(r.at), r.address, r.page)
    print_table(t)
