"""``irp loi``: record and list letters of intent."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.amounts import read_amount
from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import money, print_json, print_table, table
from ir_pipeline.dates import parse_date
from ir_pipeline.drafts import LoiDraft
from ir_pipeline.enums import Instrument, LoiStatus, parse_choice
from ir_pipeline.errors import Invalid
from ir_pipeline.money import format_both
from ir_pipeline.queries.lois import list_lois
from ir_pipeline.services import lois as loi_service

app = typer.Typer(help="Letters of intent (투자검토 의향서).", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    amount: Annotated[str, typer.Option(help="e.g. '3억', '171억 5천만', '$2M', '4,500만 달러'.")],
    deal: Annotated[int | None, typer.Option(help="The deal's id.")] = None,
    startup: Annotated[
        str | None, typer.Option(help="With --investor instead of --deal; opens the deal if needed.")
    ] = None,
    investor: Annotated[str | None, typer.Option()] = None,
    event: Annotated[str | None, typer.Option(help="Event of a newly opened deal.")] = None,
    upper: Annotated[str | None, typer.Option("--upper", help="Upper amount of a range.")] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO code when the amount names none (default KRW).")
    ] = None,
    instrument: Annotated[
        str, typer.Option(help="common, preferred, rcps, convertible_note, bw, safe, loan, grant, other.")
    ] = "common",
    received: Annotated[str, typer.Option(help="Date received (default today).")] = "today",
    valid_until: Annotated[str | None, typer.Option(help="Date the LOI lapses.")] = None,
    conditions: Annotated[str, typer.Option(help="Conditions text.")] = "",
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record an LOI on a deal (a deal at sourced or pitched moves to loi)."""
    app_ = cli_context(ctx)
    if (deal is None) == (startup is None or investor is None):
        raise Invalid("name the deal: --deal ID, or --startup NAME with --investor NAME")
    today = app_.today
    draft = LoiDraft(
        amount=read_amount(amount, currency, app_.settings.base_currency),
        amount_max=read_amount(upper, currency, app_.settings.base_currency, field="upper")
        if upper
        else None,
        instrument=parse_choice(Instrument, instrument, what="instrument"),
        received_on=parse_date(received, today=today, field="received"),
        valid_until=parse_date(valid_until, today=today, field="valid_until") if valid_until else None,
        conditions=conditions,
    )
    with app_.write() as session:
        if deal is None:
            assert startup is not None and investor is not None
            view = loi_service.add_loi_by_names(
                session, actor=app_.actor, startup=startup, investor=investor, draft=draft, event=event
            )
        else:
            view = loi_service.add_loi(session, actor=app_.actor, deal_id=deal, draft=draft)
    if json:
        print_json(view)
        return
    typer.echo(
        f"LOI #{view.id} on deal #{view.deal_id} ({view.startup} × {view.investor}): "
        f"{format_both(view.amount)}"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    deal: Annotated[int | None, typer.Option()] = None,
    startup: Annotated[str | None, typer.Option()] = None,
    investor: Annotated[str | None, typer.Option()] = None,
    event: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 500,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """LOIs, newest first."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        names = resolve_names(session, event=event, startup=startup, investor=investor)
        rows = list_lois(
            session,
            actor=app_.actor,
            deal_id=deal,
            startup_id=names.startup_id,
            investor_id=names.investor_id,
            event_id=names.event_id,
            limit=limit,
            offset=offset,
        )
    if json:
        print_json(rows)
        return
    t = table(
        "#",
        "Deal",
        "Startup",
        "Investor",
        "Amount",
        "Instrument",
        "Received",
        "Valid until",
        "Status",
        right=("#", "Deal", "Amount"),
    )
    for x in rows:
        t.add_row(
            str(x.id),
            str(x.deal_id),
            x.startup,
            x.investor,
            money(x.amount),
            x.instrument.value,
            str(x.received_on),
            str(x.valid_until or ""),
            x.status.value,
        )
    print_table(t)


@app.command()
def status(
    ctx: typer.Context, loi_id: int, new_status: Annotated[str, typer.Argument(metavar="STATUS")]
) -> None:
    """Mark an LOI received, withdrawn, expired or converted."""
    value = parse_choice(LoiStatus, new_status, what="LOI status")
    app_ = cli_context(ctx)
    with app_.write() as session:
        view = loi_service.set_loi_status(session, actor=app_.actor, loi_id=loi_id, status=value)
    typer.echo(f"LOI #{view.id} is {view.status.value}")
