"""``irp fx``: exchange rates, fetched from a rates service or typed in, and the snapshots every
LOI and funding keeps of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import console, echo, print_json, print_table, table
from ir_pipeline.clock import format_local
from ir_pipeline.config import FxSettings
from ir_pipeline.dates import parse_date
from ir_pipeline.errors import Invalid
from ir_pipeline.fx.fetch import provider_of
from ir_pipeline.fx.rates import format_rate, parse_rate
from ir_pipeline.fx.service import StoreReport, resnapshot, set_rate
from ir_pipeline.fx.stored import freshness, list_rates
from ir_pipeline.fx.update import DEFAULT_CURRENCIES, outcome, recent, update_rates
from ir_pipeline.money import normalise_currency, parse_currency
from ir_pipeline.text import plural

app = typer.Typer(
    help="Exchange rates: fetch (Frankfurter/ECB or Bank of Korea ECOS), set by hand, list; rate snapshots.",
    no_args_is_help=True,
    add_completion=False,
)

#: One update asks for at most this many days (a few years of daily rates).
MAX_DAYS = 3 * 366


def _currencies(text: str | None, base: str) -> list[str]:
    if not text:
        return [c for c in DEFAULT_CURRENCIES if c != base]
    out: list[str] = []
    for part in text.split(","):
        if part.strip():
            code = parse_currency(part)
            if code != base and code not in out:
                out.append(code)
    if not out:
        raise Invalid(f"name at least one currency other than the base currency {base}", field="currencies")
    return out


def _span(day: str | None, start: str | None, end: str | None, today: date) -> tuple[date, date]:
    if day and (start or end):
        raise Invalid("give --date, or --from and --to, not both")
    if day:
        one = parse_date(day, today=today, field="date")
        return one, one
    if start or end:
        first = parse_date(start, today=today, field="from") if start else today
        last = parse_date(end, today=today, field="to") if end else today
        if last < first:
            raise Invalid(f"--to {last} is before --from {first}", field="to")
        if (last - first).days >= MAX_DAYS:
            raise Invalid(
                f"ask for at most {MAX_DAYS} days at a time (--from {first} --to {last})", field="to"
            )
        return first, last
    return recent(today)


@app.command()
def update(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="One day (default: the last 7 days).")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day of a range.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day of a range (default today).")] = None,
    currencies: Annotated[
        str | None,
        typer.Option(help=f"Comma-separated ISO codes (default {','.join(DEFAULT_CURRENCIES)})."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Store rates far off the earlier ones.")] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fetch daily reference rates into the base currency and store them (nothing from a bad answer).

    The provider is IRP_FX_PROVIDER (frankfurter, the default, or ecos with IRP_ECOS_KEY), at
    IRP_FX_URL when a team uses a mirror."""
    app_ = cli_context(ctx)
    settings = FxSettings.load()
    base = app_.settings.base_currency
    wanted = _currencies(currencies, base)
    first, last = _span(day, start, end, app_.today)
    provider = provider_of(settings)

    def run(progress: Callable[[int, int], None] | None = None) -> tuple[int, StoreReport]:
        return update_rates(
            app_.write,
            actor=app_.actor,
            base=base,
            start=first,
            end=last,
            currencies=wanted,
            settings=settings,
            progress=progress,
            force=force,
        )

    if not json and console().is_terminal:
        from rich.progress import Progress

        with Progress(transient=True, console=console()) as bar:
            task = bar.add_task(f"{provider.source} rates", total=len(wanted))
            fetched, report = run(lambda done, total: bar.update(task, completed=done, total=total))
    else:
        fetched, report = run()
    if json:
        print_json(
            {"provider": provider.name, "source": provider.source, "fetched": fetched, **report.as_json()}
        )
        return
    span = first.isoformat() if first == last else f"{first.isoformat()}…{last.isoformat()}"
    echo(f"{provider.source} {', '.join(wanted)} → {base}, {span}: {outcome(fetched, report)}")


@app.command("set")
def set_(
    ctx: typer.Context,
    currency: Annotated[str, typer.Argument(help="The currency priced, e.g. USD.")],
    rate: Annotated[str, typer.Argument(help="What one unit is worth in the base currency, e.g. 1380.25.")],
    day: Annotated[str, typer.Option("--date", help="The rate's day (default today).")] = "today",
    force: Annotated[bool, typer.Option("--force", help="Store a rate far off the earlier one.")] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record a rate by hand: `irp fx set USD 1380.25 --date 2018-09-19` (source: manual)."""
    app_ = cli_context(ctx)
    code = normalise_currency(parse_currency(currency))
    value = parse_rate(rate)
    on = parse_date(day, today=app_.today, field="date")
    with app_.write() as session:
        report = set_rate(session, actor=app_.actor, currency=code, rate=value, day=on, force=force)
    if json:
        print_json(report.as_json())
        return
    base = app_.settings.base_currency
    echo(f"{code}/{base} {format_rate(value)} on {on.isoformat()} (manual): {report.text()}")


@app.command("list")
def list_(
    ctx: typer.Context,
    currency: Annotated[str | None, typer.Option(help="Only rates of this currency.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="From this day.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Up to this day.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many rows.")] = 50,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stored rates, newest day first, with their source and when they were fetched."""
    app_ = cli_context(ctx)
    code = parse_currency(currency) if currency else None
    today = app_.today
    first = parse_date(start, today=today, field="from") if start else None
    last = parse_date(end, today=today, field="to") if end else None
    with app_.read() as session:
        rows = list_rates(session, currency=code, start=first, end=last, limit=limit)
        fresh = freshness(session)
    if json:
        print_json({"rates": [r.as_json() for r in rows], "count": fresh.count})
        return
    if not rows:
        echo("No rates stored yet: `irp fx update` fetches them; `irp fx set USD 1380.25 --date …` adds one.")
        return
    t = table("Day", "Pair", "Rate", "Source", "Fetched", "By", right=("Rate",))
    for r in rows:
        t.add_row(
            r.day.isoformat(),
            f"{r.base}/{r.quote}",
            format_rate(parse_rate(r.rate)),
            r.source,
            format_local(r.fetched_at),
            r.fetched_by,
        )
    print_table(t)
    if fresh.count > len(rows):
        echo(f"{len(rows)} of {fresh.count} rates shown (--limit, --from, --to, --currency narrow it).")


@app.command("resnapshot")
def resnapshot_(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Only records dated this day or later.")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Take every LOI's and funding's rate snapshot again from the rates stored now (audited)."""
    app_ = cli_context(ctx)
    first = parse_date(since, today=app_.today, field="since") if since else None
    with app_.write() as session:
        report = resnapshot(session, actor=app_.actor, since=first)
    if json:
        print_json(report.as_json())
        return
    echo(
        f"{plural(report.checked, 'record')} checked, {report.changed} snapshot"
        f"{'' if report.changed == 1 else 's'} taken again"
        + (f" (audit batch {report.batch_id})" if report.changed else "")
    )
