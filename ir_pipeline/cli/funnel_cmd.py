"""``irp funnel``: the managers' view."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.plain import print_json
from ir_pipeline.fx.converted import converted_cell, needs_conversion, ranked_cell
from ir_pipeline.money import format_korean, format_totals, parse_currency
from ir_pipeline.queries.funnel import Funnel, FunnelFilter, funded_line, total_line
from ir_pipeline.queries.funnel import funnel as compute_funnel
from ir_pipeline.text import plural

BAR_WIDTH = 8


def funnel(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="Only deals born at this event.")] = None,
    startup: Annotated[str | None, typer.Option(help="Only this startup.")] = None,
    investor: Annotated[str | None, typer.Option(help="Only this investor.")] = None,
    base: Annotated[
        str | None,
        typer.Option(
            help="Convert totals to this currency (default IRP_BASE_CURRENCY, KRW).", metavar="CODE"
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """LOI totals, deals and amounts per stage, conversion and drop-off.

    Totals are per currency, beside their total converted at each record's own rate (--base)."""
    app = cli_context(ctx)
    target = parse_currency(base) if base else None
    with app.read() as session:
        names = resolve_names(session, actor=app.actor, event=event, startup=startup, investor=investor)
        result = compute_funnel(
            session,
            actor=app.actor,
            flt=FunnelFilter(
                event_id=names.event_id, startup_id=names.startup_id, investor_id=names.investor_id
            ),
            base=target,
        )
    if json:
        print_json(result)
        return
    show(result)


def show(result: Funnel) -> None:
    """The funnel as tables for people (Rich is loaded here: a script asking for JSON skips it)."""
    from rich.text import Text

    from ir_pipeline.cli.output import console, print_side_by_side, table

    out = console()
    lois = result.lois
    korean = " · ".join(format_korean(lois.total[c]) for c in lois.total) or "0 원"
    out.print(Text(f"LOIs: {lois.count}건 · {lois.startups}개사 · {korean}", style="bold"))
    out.print(f"LOI total: {total_line(lois.total, lois.converted)}  ({plural(lois.investors, 'investor')})")
    out.print(f"Funded: {funded_line(result.funded)}")
    counts = table(
        "Stage",
        "Deals",
        "",
        "Reached",
        "→ next",
        "Dropped",
        "Lost here",
        right=("Deals", "Reached", "Dropped", "→ next", "Lost here"),
    )
    target = result.base or ""
    converting = any(needs_conversion(s.amount, target) for s in result.stages) or needs_conversion(
        result.funded.total, target
    )
    approx = f"≈ {target}"
    amounts = (
        table("Stage", "LOI amount", approx, "Funded", right=("LOI amount", approx, "Funded"))
        if converting
        else table("Stage", "LOI amount", "Funded", right=("LOI amount", "Funded"))
    )
    widest = max((s.deals for s in result.stages), default=0) or 1
    for s in result.stages:
        counts.add_row(
            s.stage.label,
            str(s.deals),
            Text("█" * round(BAR_WIDTH * s.deals / widest), style="cyan"),
            "" if s.reached is None else str(s.reached),
            "" if s.conversion is None else f"{s.conversion * 100:.1f}%",
            "" if s.dropped is None else str(s.dropped),
            str(s.lost_from) if s.lost_from else "",
        )
        cells = [s.stage.label, format_totals(s.amount, korean=False)]
        if converting:
            cells.append(converted_cell(s.converted) if s.amount else "")
        cells.append(format_totals(s.funded, korean=False) if s.funded else "")
        amounts.add_row(*cells)
    # One table where the terminal is wide enough; otherwise counts, then amounts: never cut.
    print_side_by_side(counts, amounts)
    if converting and any(s.converted is not None and s.converted.missing for s in result.stages):
        out.print(
            f"* {target} figure without the records that have no rate yet (irp fx update or irp fx set)"
        )
    if result.by_startup:
        r = table("Startup", "LOIs", "LOI total", "Funded", title="Startups by LOI total", right=("LOIs",))
        for item in result.by_startup:
            r.add_row(
                item.name,
                str(item.lois),
                ranked_cell(item.total, item.converted),
                ranked_cell(item.funded, item.funded_converted) if item.funded else "",
            )
        out.print(r)
