"""``irp loi``: record and list letters of intent."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.amounts import read_amount
from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import echo, money, print_json, print_table, table
from ir_pipeline.dates import parse_date
from ir_pipeline.drafts import LoiDraft
from ir_pipeline.enums import Instrument, LoiStatus, label, parse_choice
from ir_pipeline.errors import Invalid
from ir_pipeline.money import Money, format_both
from ir_pipeline.queries.lois import get_loi, loi_page
from ir_pipeline.services import lois as loi_service

app = typer.Typer(help="Letters of intent (투자검토 의향서).", no_args_is_help=True, add_completion=False)


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
    create: Annotated[
        bool,
        typer.Option("--create", help="Record a --startup or --investor that no name matches as a new one."),
    ] = False,
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
                session,
                actor=app_.actor,
                startup=startup,
                investor=investor,
                draft=draft,
                event=event,
                create=create,
            )
        else:
            view = loi_service.add_loi(session, actor=app_.actor, deal_id=deal, draft=draft)
    if json:
        print_json(view)
        return
    echo(
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
    after: Annotated[
        str | None, typer.Option(help="Start after this cursor (printed under the previous page).")
    ] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many rows first (--after is faster).")] = 0,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """LOIs, newest first, a page at a time."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        names = resolve_names(session, actor=app_.actor, event=event, startup=startup, investor=investor)
        page = loi_page(
            session,
            actor=app_.actor,
            deal_id=deal,
            startup_id=names.startup_id,
            investor_id=names.investor_id,
            event_id=names.event_id,
            limit=limit,
            after=after,
            offset=offset,
        )
    rows, next_after = page.rows, page.next_after
    if json:
        print_json({"lois": rows, "next_after": next_after})
        return
    # a column of converted amounts where some LOI is in another currency than the base
    base = app_.settings.base_currency
    foreign = base if any(x.amount.currency != base for x in rows) else None
    approx = f"≈ {foreign}" if foreign else ""
    columns = ["#", "Deal", "Startup", "Investor", "Amount", *([approx] if foreign else []), "Instrument"]
    t = table(
        *columns,
        "Received",
        "Valid until",
        "Status",
        right=("#", "Deal", "Amount", *([approx] if foreign else [])),
    )
    for x in rows:
        cells = [str(x.id), str(x.deal_id), x.startup, x.investor, money(x.amount)]
        if foreign:
            cells.append("no rate yet" if x.converted is None else money(x.converted))
        cells += [label(x.instrument), str(x.received_on), str(x.valid_until or ""), label(x.status)]
        t.add_row(*cells)
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
    echo(f"LOI #{view.id} is {label(view.status).lower()}")


@app.command()
def show(ctx: typer.Context, loi_id: int, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One LOI, with the version an edit must name (``--if-version``)."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        view = get_loi(session, actor=app_.actor, loi_id=loi_id)
    if json:
        print_json(view)
        return
    rows = [
        ("LOI", f"#{view.id} on deal #{view.deal_id}"),
        ("Startup", view.startup),
        ("Investor", view.investor),
        ("Amount", format_both(view.amount)),
        ("Upper", format_both(view.amount_max) if view.amount_max else ""),
        ("Instrument", label(view.instrument)),
        ("Received", str(view.received_on)),
        ("Valid until", str(view.valid_until or "")),
        ("Conditions", view.conditions),
        ("Status", label(view.status)),
        ("Version", str(view.version)),
    ]
    for name, value in rows:
        echo(f"{name + ':':<12} {value}")


@app.command()
def edit(
    ctx: typer.Context,
    loi_id: int,
    amount: Annotated[str | None, typer.Option(help="New amount, e.g. '3억'.")] = None,
    amount_max: Annotated[
        str | None, typer.Option("--amount-max", help="New upper amount; 'none' removes the range.")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="ISO code when the amount names none.")] = None,
    instrument: Annotated[str | None, typer.Option()] = None,
    received: Annotated[str | None, typer.Option()] = None,
    valid_until: Annotated[str | None, typer.Option(help="New lapse date; 'none' removes it.")] = None,
    conditions: Annotated[str | None, typer.Option()] = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", help="Refuse (exit 3) if the LOI changed since this version."),
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Correct an LOI; fields not given keep their value. A stale --if-version exits 3."""
    app_ = cli_context(ctx)
    actor = app_.actor
    today = app_.today
    base = app_.settings.base_currency
    with app_.write() as session:
        current = get_loi(session, actor=actor, loi_id=loi_id)
        version = if_version if if_version is not None else current.version
        new_amount = read_amount(amount, currency, base) if amount else current.amount
        upper: Money | None
        if amount_max is None:
            upper = current.amount_max
        elif amount_max.strip().lower() in ("none", "-", ""):
            upper = None
        else:
            upper = read_amount(amount_max, currency or new_amount.currency, base, field="amount_max")
        if valid_until is None:
            lapse = current.valid_until
        elif valid_until.strip().lower() in ("none", "-", ""):
            lapse = None
        else:
            lapse = parse_date(valid_until, today=today, field="valid_until")
        draft = LoiDraft(
            amount=new_amount,
            amount_max=upper,
            instrument=parse_choice(Instrument, instrument, what="instrument")
            if instrument
            else current.instrument,
            received_on=parse_date(received, today=today, field="received")
            if received
            else current.received_on,
            valid_until=lapse,
            conditions=current.conditions if conditions is None else conditions,
        )
        view = loi_service.update_loi(
            session, actor=actor, loi_id=loi_id, draft=draft, expected_version=version
        )
    if json:
        print_json(view)
        return
    echo(f"LOI #{view.id} saved (version {view.version}): {format_both(view.amount)}")
