"""``irp export KIND``: data out, for Excel or for another ir-pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo, standard_output
from ir_pipeline.errors import Invalid
from ir_pipeline.io.export import EXPORT_KINDS, FORMATS, export
from ir_pipeline.money import parse_currency
from ir_pipeline.text import plural


def export_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(EXPORT_KINDS)}.", metavar="KIND")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, xlsx, json, or ics (follow-ups, for a calendar).")
    ] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            help="The funnel's converted figures in this currency (default IRP_BASE_CURRENCY).",
            metavar="CODE",
        ),
    ] = None,
) -> None:
    """Export what you may see: CSV with BOM for Excel, typed XLSX, or JSON."""
    if kind not in EXPORT_KINDS:
        raise typer.BadParameter(f"choose one of {', '.join(EXPORT_KINDS)}", param_hint="KIND")
    if fmt not in FORMATS:
        raise typer.BadParameter("use csv, xlsx, json or ics", param_hint="--format")
    if fmt == "xlsx" and out is None:
        raise Invalid("an XLSX export needs --out FILE.xlsx")
    app = cli_context(ctx)
    with app.read() as session:
        count = export(
            session,
            actor=app.actor,
            kind=kind,
            fmt=fmt,
            out=out if out is not None else standard_output(),
            base=parse_currency(base) if base else None,
        )
    if out is not None:
        echo(f"{plural(count, 'row')} ({kind}) written to {out}", err=True)
