"""``irp notify``: the notices the team is sent (the outbox), and the scan that finds the ones time
makes (overdue follow-ups, LOIs about to expire)."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import httpx
import typer

from ir_pipeline.cli.context import CliContext, cli_context
from ir_pipeline.cli.output import echo, print_json, print_table, table
from ir_pipeline.clock import format_local
from ir_pipeline.errors import Invalid
from ir_pipeline.lookup import resolve_startup
from ir_pipeline.models import EndpointFormat
from ir_pipeline.notify.delivery import PassReport, deliver, deliver_pass, make_client
from ir_pipeline.notify.endpoints import (
    add_endpoint,
    check_url,
    list_endpoints,
    parse_headers,
    remove_endpoint,
    set_active,
)
from ir_pipeline.notify.events import TYPES
from ir_pipeline.notify.scan import scan as scan_service
from ir_pipeline.notify.status import delivery_status, queue_test, retry_delivery
from ir_pipeline.queries.notices import list_notices
from ir_pipeline.text import plural

app = typer.Typer(
    help="Notices for the team: the outbox, endpoints (Slack, Teams, JANDI, webhooks) and delivery.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def scan(
    ctx: typer.Context,
    expiring_days: Annotated[
        int | None,
        typer.Option(
            min=0, max=366, help="Warn of LOIs whose validity ends within this many days (default 7)."
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Write one notice per follow-up gone overdue and per LOI about to expire, once each."""
    app_ = cli_context(ctx)
    days = app_.settings.expiring_days if expiring_days is None else expiring_days
    with app_.write() as session:
        report = scan_service(session, actor=app_.actor, today=app_.today, expiring_days=days)
    if json:
        print_json(report)
        return
    echo(
        f"{plural(report.overdue, 'overdue follow-up')}, "
        f"{plural(report.expiring, 'LOI')} expiring within {days} days: notices written"
    )


@app.command()
def events(
    ctx: typer.Context,
    type: Annotated[str | None, typer.Option(help="Only this type, e.g. loi.received.")] = None,
    deal: Annotated[int | None, typer.Option(help="Only this deal's notices.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    before: Annotated[int | None, typer.Option(help="Continue below this notice id (next page).")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The notices written so far, newest first (staff and managers)."""
    if type is not None and type not in TYPES:
        raise Invalid(f"unknown notice type {type!r}; one of: {', '.join(TYPES)}")
    app_ = cli_context(ctx)
    with app_.read() as session:
        rows = list_notices(session, actor=app_.actor, type=type, deal_id=deal, before_id=before, limit=limit)
    if json:
        print_json(rows)
        return
    t = table("#", "When", "Type", "By", "Summary", right=("#",))
    for r in rows:
        t.add_row(str(r.id), format_local(r.created_at), r.type, r.actor, r.summary)
    print_table(t)


def _format(value: str) -> EndpointFormat:
    try:
        return EndpointFormat(value.strip().lower())
    except ValueError:
        raise Invalid(
            f"unknown format {value!r}; one of: {', '.join(f.value for f in EndpointFormat)}"
        ) from None


@app.command()
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="An http(s) URL (a chat tool's incoming webhook).")],
    name: Annotated[
        str | None, typer.Option(help="A name to refer to it by (default: the URL's host).")
    ] = None,
    format: Annotated[str, typer.Option(help="standard (signed), slack, teams or jandi.")] = "standard",
    events: Annotated[str, typer.Option(help="Only these types or families, e.g. 'loi.*,deal.moved'.")] = "",
    startup: Annotated[str | None, typer.Option(help="Only this startup's notices.")] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            help="An extra request header, 'Name: value' (credentials the receiver wants); repeatable."
            " Stored sealed, never shown.",
        ),
    ] = None,
) -> None:
    """Add an endpoint; a standard one's signing secret is shown now and never again.

    The host must resolve to public addresses (IRP_NOTIFY_ALLOW names a local relay's range)."""
    app_ = cli_context(ctx)
    headers = parse_headers(header or [])
    with app_.write() as session:
        startup_id = resolve_startup(session, startup, actor=app_.actor).id if startup else None
        added = add_endpoint(
            session,
            actor=app_.actor,
            name=name if name is not None else httpx.URL(check_url(url)).host,
            url=url,
            format=_format(format),
            events=events,
            startup_id=startup_id,
            headers=headers,
        )
    echo(f"Endpoint {added.endpoint.name!r} ({added.endpoint.format.value}) added: notices from now go there")
    if added.secret:
        echo(f"Signing secret (shown once; give it to the receiver): {added.secret}")


@app.command("list")
def list_(ctx: typer.Context, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The endpoints (staff), without their secrets."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        rows = list_endpoints(session, actor=app_.actor)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Format", "URL", "Headers", "Notices", "State", right=("#",))
    for r in rows:
        state = "active" if r.active else f"disabled: {r.disabled_reason}"
        t.add_row(
            str(r.id), r.name, r.format.value, r.url, ", ".join(r.header_names), r.events or "all", state
        )
    print_table(t)


def _set_active(ctx: typer.Context, name: str, active: bool) -> None:
    app_ = cli_context(ctx)
    with app_.write() as session:
        set_active(session, actor=app_.actor, name=name, active=active)
    echo(f"Endpoint {name!r} {'enabled' if active else 'disabled'}")


@app.command()
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Stop sending to an endpoint (its pending notices wait until it is enabled)."""
    _set_active(ctx, name, False)


@app.command()
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Send to an endpoint again, starting with what waited while it was disabled."""
    _set_active(ctx, name, True)


@app.command()
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask (for scripts).")] = False,
) -> None:
    """Remove an endpoint for good (what was sent to it stays on record)."""
    app_ = cli_context(ctx)
    app_.actor.require_staff("remove notification endpoints")
    if not yes:
        if not sys.stdin.isatty():
            raise Invalid("removing an endpoint needs confirmation: run it on a terminal, or add --yes")
        if not typer.confirm(f"Remove endpoint {name!r}?", default=False):
            raise Invalid("cancelled: nothing changed")
    with app_.write() as session:
        remove_endpoint(session, actor=app_.actor, name=name)
    echo(f"Endpoint {name!r} removed")


def _client() -> httpx.Client:
    return make_client()


def _show_total(app_: CliContext, total: PassReport) -> None:
    """What one ``--once`` run did, even when that was nothing (and why nothing)."""
    if total.sent:
        _show_pass(total)
        return
    with app_.read() as session:
        endpoints = [e for e in list_endpoints(session, actor=app_.actor) if e.active]
    if not endpoints:
        echo("Nothing sent: no endpoint is enabled (irp notify add URL sets one up)")
    else:
        echo(f"Nothing sent: no notice is due to {plural(len(endpoints), 'endpoint')} (irp notify status)")


def _show_pass(report: PassReport) -> None:
    echo(
        f"{plural(report.sent, 'notice')} sent: {report.delivered} delivered, {report.retrying} to retry,"
        f" {report.failed} failed, {report.dead} dead"
    )


@app.command()
def test(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Send a test notice to one endpoint now, and say what came back."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        delivery_id = queue_test(session, actor=app_.actor, name=name)
    with _client() as client:
        report = deliver_pass(app_.write, actor=app_.actor, client=client, only=delivery_id)
    for _ident, outcome in report.outcomes:
        answer = f"HTTP {outcome.status_code}" if outcome.status_code is not None else outcome.error
        echo(f"Test notice to {name!r}: {answer} in {outcome.duration_ms} ms")
    if report.delivered != 1:
        raise Invalid(f"the test notice to {name!r} was not delivered (irp notify status shows its attempts)")


@app.command("deliver")
def deliver_(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then stop (default).")] = False,
    watch: Annotated[bool, typer.Option("--watch", help="Keep sending as notices arrive.")] = False,
    every: Annotated[
        float, typer.Option(min=0.2, max=3600, help="With --watch: seconds between looks.")
    ] = 5.0,
    senders: Annotated[
        int,
        typer.Option(
            "--senders",
            min=1,
            max=64,
            help="Notices sent at once; one endpoint gets half of them at most.",
        ),
    ] = 4,
) -> None:
    """Send the pending notices: retried with backoff, never twice to one endpoint."""
    if once and watch:
        raise Invalid("--once and --watch exclude each other")
    app_ = cli_context(ctx)
    with _client() as client:
        try:
            while True:
                total = PassReport()
                for report in deliver(app_.write, actor=app_.actor, client=client, concurrency=senders):
                    total.add(report)
                    total.outcomes += report.outcomes
                    if report.sent and watch:
                        _show_pass(report)
                if not watch:
                    _show_total(app_, total)
                    return
                time.sleep(every)
        except KeyboardInterrupt:  # a service stopped, or ctrl-c: what was taken is sent again later
            echo("stopped", err=True)


@app.command()
def status(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many failed or dead to list.")] = 50,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Deliveries per endpoint and state, and the failed and dead ones with their last error."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        summary = delivery_status(session, actor=app_.actor, limit=limit)
    if json:
        print_json(summary)
        return
    states = ("Pending", "Delivered", "Failed", "Dead")
    t = table("Endpoint", *states, right=states)
    for row in summary.endpoints:
        t.add_row(row.name, str(row.pending), str(row.delivered), str(row.failed), str(row.dead))
    print_table(t)
    if summary.problems:
        p = table("#", "Endpoint", "Notice", "State", "Tries", "Last error", right=("#", "Tries"))
        for d in summary.problems:
            p.add_row(str(d.id), d.endpoint, d.event_type, d.status.value, str(d.attempts), d.last_error)
        print_table(p)


@app.command()
def retry(
    ctx: typer.Context,
    delivery: Annotated[int, typer.Argument(help="The delivery's id (irp notify status).")],
) -> None:
    """Send a failed or dead delivery again, now, under the same notice id."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        retry_delivery(session, actor=app_.actor, delivery_id=delivery)
    with _client() as client:
        report = deliver_pass(app_.write, actor=app_.actor, client=client, only=delivery)
    _show_pass(report)


@app.command()
def key() -> None:
    """Print a new key for sealing endpoint secrets (set it as IRP_SECRET_KEY wherever endpoints
    are added and notices delivered; without it, a key file in the data dir is made on first use)."""
    from ir_pipeline.notify.sealed import new_key

    echo(new_key())
