"""``irp funding``: the money in the bank."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.amounts import read_amount
from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import echo, print_json
from ir_pipeline.cli.versions import IfVersion
from ir_pipeline.dates import parse_date
from ir_pipeline.drafts import FundingDraft
from ir_pipeline.enums import Instrument, parse_choice
from ir_pipeline.money import format_both
from ir_pipeline.services.fundings import record_funding

app = typer.Typer(
    help="Record funding received (moves the deal to funded).", no_args_is_help=True, add_completion=False
)


@app.command()
def add(
    ctx: typer.Context,
    deal: Annotated[int, typer.Option(help="The deal's id.")],
    amount: Annotated[str, typer.Option(help="e.g. '20억', '$2M'.")],
    closed: Annotated[str, typer.Option(help="Date the money arrived.")] = "today",
    currency: Annotated[str | None, typer.Option()] = None,
    instrument: Annotated[str, typer.Option()] = "common",
    if_version: IfVersion = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record funding on a deal at term sheet; the deal moves to funded."""
    app_ = cli_context(ctx)
    draft = FundingDraft(
        amount=read_amount(amount, currency, app_.settings.base_currency),
        closed_on=parse_date(closed, today=app_.today, field="closed"),
        instrument=parse_choice(Instrument, instrument, what="instrument"),
    )
    with app_.write() as session:
        view = record_funding(
            session, actor=app_.actor, deal_id=deal, draft=draft, expected_version=if_version
        )
    if json:
        print_json(view)
        return
    echo(f"Funding #{view.id} on deal #{view.deal_id}: {format_both(view.amount)}; the deal is funded")
