"""``irp funnel``: the managers' view."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import console, print_json, print_table, table
from ir_pipeline.money import format_korean, format_totals
from ir_pipeline.queries.funnel import FunnelFilter
from ir_pipeline.queries.funnel import funnel as compute_funnel
from ir_pipeline.text import plural

BAR_WIDTH = 8


def funnel(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="Only deals born at this event.")] = None,
    startup: Annotated[str | None, typer.Option(help="Only this startup.")] = None,
    investor: Annotated[str | None, typer.Option(help="Only this investor.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """LOI totals, deals and amounts per stage, conversion and drop-off."""
    app = cli_context(ctx)
    with app.read() as session:
        names = resolve_names(session, actor=app.actor, event=event, startup=startup, investor=investor)
        result = compute_funnel(
            session,
            actor=app.actor,
            flt=FunnelFilter(
                event_id=names.event_id, startup_id=names.startup_id, investor_id=names.investor_id
            ),
        )
    if json:
        print_json(result)
        return
    out = console()
    lois = result.lois
    korean = " · ".join(format_korean(lois.total[c]) for c in lois.total) or "0 원"
    out.print(Text(f"LOIs: {lois.count}건 · {lois.startups}개사 · {korean}", style="bold"))
    out.print(f"LOI total: {format_totals(lois.total)}  ({plural(lois.investors, 'investor')})")
    widest = max((s.deals for s in result.stages), default=0) or 1
    t = table(
        "Stage",
        "Deals",
        "",
        "LOI amount",
        "Reached",
        "→ next",
        "Dropped",
        right=("Deals", "Reached", "Dropped", "→ next"),
    )
    for s in result.stages:
        bar = "█" * round(BAR_WIDTH * s.deals / widest)
        t.add_row(
            s.stage.label,
            str(s.deals),
            Text(bar, style="cyan"),
            format_totals(s.amount, korean=False),
            "" if s.reached is None else str(s.reached),
            "" if s.conversion is None else f"{s.conversion * 100:.1f}%",
            "" if s.dropped is None else str(s.dropped),
        )
    print_table(t)
    if result.by_startup:
        r = table("Startup", "LOIs", "LOI total", title="Startups by LOI total", right=("LOIs",))
        for item in result.by_startup:
            r.add_row(item.name, str(item.lois), format_totals(item.total))
        out.print(r)
