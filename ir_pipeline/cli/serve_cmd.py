"""``irp serve``: the read-only pages that share links open, on uvicorn."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo
from ir_pipeline.config import SERVE_HOST, SERVE_PORT, share_base_url
from ir_pipeline.errors import Invalid

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_portal_login(engine: Engine) -> None:
    """On PostgreSQL the server reads as a login of ``irp_portal`` and nothing more: one with
    other rights (staff, a superuser, the owner) is refused, so the database scopes every page."""
    with engine.connect() as connection:
        member, others, mighty = connection.execute(
            sa.text(
                "SELECT pg_has_role(session_user, 'irp_portal', 'MEMBER'),"
                " (SELECT bool_or(pg_has_role(session_user, g, 'MEMBER')) FROM unnest("
                "   ARRAY['irp_staff', 'irp_manager', 'irp_startup']) AS g),"
                " (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user)"
                "   OR session_user = (SELECT tableowner FROM pg_tables WHERE tablename = 'deal'"
                "   AND schemaname = current_schema())"
            )
        ).one()
    if not member or others or mighty:
        raise Invalid(
            "on PostgreSQL irp serve connects as its own login in the group irp_portal and nothing"
            " else (CREATE ROLE irp_web LOGIN PASSWORD '…' IN ROLE irp_portal), so the database"
            " itself keeps each page to its link"
        )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = SERVE_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = SERVE_PORT,
    public: Annotated[
        bool, typer.Option("--public", help="Listen on an address other machines reach (behind HTTPS).")
    ] = False,
) -> None:
    """Serve the pages share links open: read-only, one page per live link (irp share).

    On PostgreSQL it connects as a login of irp_portal only, whose rows the database scopes by
    the link of each request."""
    if not is_loopback(host) and not public:
        raise Invalid(
            f"--host {host} is reached from other machines: put irp serve behind an HTTPS reverse proxy"
            " and say --public, or listen on 127.0.0.1",
            field="host",
        )
    app_ = cli_context(ctx)
    if app_.engine.dialect.name == "postgresql":
        require_portal_login(app_.engine)
    import uvicorn

    from ir_pipeline.web.app import make_app

    echo(f"serving share links on http://{host}:{port} (links start with {share_base_url()})", err=True)
    uvicorn.run(
        make_app(app_.engine),
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
