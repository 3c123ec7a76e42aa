"""``irp serve``: the read-only pages that share links open, on uvicorn."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo
from ir_pipeline.config import SERVE_HOST, SERVE_PORT, share_base_url
from ir_pipeline.errors import Invalid


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = SERVE_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = SERVE_PORT,
    public: Annotated[
        bool, typer.Option("--public", help="Listen on an address other machines reach (behind HTTPS).")
    ] = False,
) -> None:
    """Serve the pages share links open: read-only, one page per live link (irp share)."""
    if not is_loopback(host) and not public:
        raise Invalid(
            f"--host {host} is reached from other machines: put irp serve behind an HTTPS reverse proxy"
            " and say --public, or listen on 127.0.0.1",
            field="host",
        )
    app_ = cli_context(ctx)
    if app_.engine.dialect.name != "sqlite":
        raise Invalid(
            "irp serve runs on a SQLite database in this release; on PostgreSQL it will connect as its"
            " own portal login, scoped by the database (not yet built)"
        )
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
