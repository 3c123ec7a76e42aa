"""``irp import KIND FILE``: bring a spreadsheet in, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import console, echo, print_json
from ir_pipeline.io.columns import KINDS
from ir_pipeline.io.importer import ImportRejected, ImportReport, import_file
from ir_pipeline.text import plural


def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(KINDS)}.", metavar="KIND")],
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8, UTF-8 with BOM or CP949) or .xlsx file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="The CSV's text encoding (utf-8, cp949, cp1252, ...), when detection cannot tell.",
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import events, startups, investors, contacts, deals, LOIs, fundings or follow-ups."""
    if kind not in KINDS:
        raise typer.BadParameter(f"choose one of {', '.join(KINDS)}", param_hint="KIND")
    app = cli_context(ctx)
    show_progress = not json and console().is_terminal
    with Progress(
        TextColumn("[bold]importing {task.fields[name]}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console(),
        disable=not show_progress,
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=None, name=escape(file.name), rows=0)

        def progress(rows: int, size: int) -> None:
            # rows map to bytes only roughly; the bar shows rows and stays indeterminate
            bar.update(task, rows=rows)

        try:
            with app.write() as session:
                report = import_file(
                    session,
                    actor=app.actor,
                    kind=kind,
                    path=file,
                    dry_run=dry_run,
                    progress=progress,
                    encoding=encoding,
                )
        except ImportRejected as rejected:
            bar.stop()
            _show_problems(rejected.report, json=json)
            raise
    if json:
        print_json(report)
        return
    _show_ignored(report)
    create, update = ("would create", "would update") if dry_run else ("created", "updated")
    echo(
        f"{file.name}: {plural(report.rows, 'row')}; {create} {report.created}, {update} {report.updated}, "
        f"skipped {report.skipped} (already there)" + ("; nothing was written (dry run)" if dry_run else "")
    )
    for note in report.notes:
        echo(f"{file.name}: {note}", err=True)


def _show_ignored(report: ImportReport) -> None:
    if report.ignored_columns:
        names = ", ".join(repr(h) for h in report.ignored_columns)
        echo(f"{report.file}: columns not imported (ir-pipeline has no field for them): {names}", err=True)


def _show_problems(report: ImportReport, *, json: bool) -> None:
    if json:
        print_json(report)
        return
    _show_ignored(report)
    out = console()
    for problem in report.problems:
        out.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    if report.more_problems:
        out.print(f"  … and {report.more_problems} more")
