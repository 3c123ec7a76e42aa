"""``irp report startup|event NAME``: one-page share packs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo
from ir_pipeline.io.reports import (
    REPORT_FORMATS,
    EventReport,
    StartupReport,
    chart_file_for,
    event_report,
    render,
    startup_report,
)
from ir_pipeline.money import parse_currency

app = typer.Typer(
    help="One-page reports to forward: Markdown or self-contained HTML.",
    no_args_is_help=True,
    add_completion=False,
)

Format = Annotated[str, typer.Option("--format", "-f", help="md or html.")]
Out = Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")]
Base = Annotated[
    str | None,
    typer.Option(help="Convert totals to this currency (default IRP_BASE_CURRENCY, KRW).", metavar="CODE"),
]


def _base(code: str | None) -> str | None:
    return parse_currency(code) if code else None


NoChart = Annotated[bool, typer.Option("--no-chart", help="Leave the funnel chart out.")]


def _emit(report: StartupReport | EventReport, fmt: str, out: Path | None, chart: bool) -> None:
    """HTML embeds its chart; a Markdown file links an SVG written beside it (``x.chart.svg``);
    Markdown on the terminal has none (the stage table has the figures)."""
    if out is None:
        echo(render(report, fmt, chart=chart and fmt == "html"), nl=False)
        return
    chart_file = ""
    if chart and fmt == "md":
        svg = chart_file_for(out)
        svg.write_text(report.chart_svg, encoding="utf-8")
        chart_file = svg.name
    out.write_text(render(report, fmt, chart=chart, chart_file=chart_file), encoding="utf-8")
    echo(f"report written to {out}" + (f" (chart: {chart_file})" if chart_file else ""), err=True)


def _report(
    ctx: typer.Context,
    build: Callable[..., StartupReport | EventReport],
    name: str,
    fmt: str,
    out: Path | None,
    base: str | None,
    chart: bool,
) -> None:
    """Either report: its format checked, built from one read, written or shown."""
    if fmt not in REPORT_FORMATS:
        raise typer.BadParameter("use md or html", param_hint="--format")
    app_ = cli_context(ctx)
    with app_.read() as session:
        report = build(session, actor=app_.actor, name=name, base=_base(base))
    _emit(report, fmt, out, chart)


@app.command()
def startup(
    ctx: typer.Context,
    name: str,
    fmt: Format = "md",
    out: Out = None,
    base: Base = None,
    no_chart: NoChart = False,
) -> None:
    """A startup's LOIs, stages, next steps and totals, with a funnel chart (its data only)."""
    _report(ctx, startup_report, name, fmt, out, base, not no_chart)


@app.command()
def event(
    ctx: typer.Context,
    name: str,
    fmt: Format = "md",
    out: Out = None,
    base: Base = None,
    no_chart: NoChart = False,
) -> None:
    """An event summary for managers: LOIs received, per startup and investor, conversion."""
    _report(ctx, event_report, name, fmt, out, base, not no_chart)
