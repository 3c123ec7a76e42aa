"""``irp event|startup|investor|contact|pitch``: the records the pipeline is about."""

from __future__ import annotations

from typing import Annotated

import typer

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import echo, print_json, print_table, table
from ir_pipeline.dates import parse_date
from ir_pipeline.drafts import ContactDraft, EventDraft, InvestorDraft, StartupDraft
from ir_pipeline.enums import InvestorKind, label, parse_choice
from ir_pipeline.errors import Invalid
from ir_pipeline.lookup import require_named
from ir_pipeline.queries import records as queries
from ir_pipeline.services import records as service

event_app = typer.Typer(help="IR events (투자 설명회).", no_args_is_help=True, add_completion=False)
startup_app = typer.Typer(help="Startups.", no_args_is_help=True, add_completion=False)
investor_app = typer.Typer(help="Investors.", no_args_is_help=True, add_completion=False)
contact_app = typer.Typer(
    help="People at investors and startups.", no_args_is_help=True, add_completion=False
)
pitch_app = typer.Typer(help="Startups pitching at events.", no_args_is_help=True, add_completion=False)

Json = Annotated[bool, typer.Option("--json")]


@event_app.command("add")
def event_add(
    ctx: typer.Context,
    name: str,
    starts: Annotated[str, typer.Option(help="First day.")],
    ends: Annotated[str | None, typer.Option(help="Last day (default: the first).")] = None,
    venue: Annotated[str, typer.Option()] = "",
    organiser: Annotated[str, typer.Option()] = "",
    json: Json = False,
) -> None:
    """Create an event."""
    app = cli_context(ctx)
    draft = EventDraft(
        name=name,
        starts_on=parse_date(starts, today=app.today, field="starts"),
        ends_on=parse_date(ends, today=app.today, field="ends") if ends else None,
        venue=venue,
        organiser=organiser,
    )
    with app.write() as session:
        view = service.create_event(session, actor=app.actor, draft=draft)
    print_json(view) if json else echo(f"Event #{view.id}: {view.name}")


@event_app.command("list")
def event_list(ctx: typer.Context, json: Json = False) -> None:
    """Events, newest first."""
    app = cli_context(ctx)
    with app.read() as session:
        rows = queries.list_events(session, actor=app.actor)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Dates", "Venue", "Organiser", right=("#",))
    for e in rows:
        t.add_row(str(e.id), e.name, f"{e.starts_on} – {e.ends_on}", e.venue, e.organiser)
    print_table(t)


@startup_app.command("add")
def startup_add(
    ctx: typer.Context,
    name: str,
    sector: Annotated[str, typer.Option()] = "",
    business_no: Annotated[str | None, typer.Option(help="사업자등록번호, 123-45-67890.")] = None,
    description: Annotated[str, typer.Option()] = "",
    json: Json = False,
) -> None:
    """Create a startup."""
    app = cli_context(ctx)
    with app.write() as session:
        view = service.create_startup(
            session,
            actor=app.actor,
            draft=StartupDraft(name=name, sector=sector, business_no=business_no, description=description),
        )
    print_json(view) if json else echo(f"Startup #{view.id}: {view.name}")


@startup_app.command("list")
def startup_list(ctx: typer.Context, search: Annotated[str, typer.Option()] = "", json: Json = False) -> None:
    """Startups by name."""
    app = cli_context(ctx)
    with app.read() as session:
        rows = queries.list_startups(session, actor=app.actor, search=search)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Sector", "Business no.", right=("#",))
    for s in rows:
        t.add_row(str(s.id), s.name, s.sector, s.business_no or "")
    print_table(t)


@investor_app.command("add")
def investor_add(
    ctx: typer.Context,
    name: str,
    kind: Annotated[
        str, typer.Option(help="vc, cvc, angel, bank, pe, accelerator, government, other.")
    ] = "vc",
    country: Annotated[str, typer.Option(help="ISO country code.")] = "KR",
    json: Json = False,
) -> None:
    """Create an investor."""
    app = cli_context(ctx)
    draft = InvestorDraft(
        name=name, kind=parse_choice(InvestorKind, kind, what="investor kind"), country=country
    )
    with app.write() as session:
        view = service.create_investor(session, actor=app.actor, draft=draft)
    print_json(view) if json else echo(f"Investor #{view.id}: {view.name}")


@investor_app.command("list")
def investor_list(
    ctx: typer.Context, search: Annotated[str, typer.Option()] = "", json: Json = False
) -> None:
    """Investors by name."""
    app = cli_context(ctx)
    with app.read() as session:
        rows = queries.list_investors(session, actor=app.actor, search=search)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Kind", "Country", right=("#",))
    for i in rows:
        t.add_row(str(i.id), i.name, label(i.kind), i.country)
    print_table(t)


@contact_app.command("add")
def contact_add(
    ctx: typer.Context,
    name: str,
    investor: Annotated[str | None, typer.Option()] = None,
    startup: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    role: Annotated[str, typer.Option()] = "",
    json: Json = False,
) -> None:
    """Add a person at an investor or a startup."""
    if (investor is None) == (startup is None):
        raise Invalid("name exactly one organisation: --investor NAME or --startup NAME")
    app = cli_context(ctx)
    with app.write() as session:
        names = resolve_names(session, actor=app.actor, investor=investor, startup=startup)
        view = service.create_contact(
            session,
            actor=app.actor,
            draft=ContactDraft(
                name=name,
                investor_id=names.investor_id,
                startup_id=names.startup_id,
                email=email,
                phone=phone,
                role=role,
            ),
        )
    print_json(view) if json else echo(f"Contact #{view.id}: {view.name} ({view.organisation})")


@contact_app.command("list")
def contact_list(ctx: typer.Context, json: Json = False) -> None:
    """Contacts by name."""
    app = cli_context(ctx)
    with app.read() as session:
        rows = queries.list_contacts(session, actor=app.actor)
    if json:
        print_json(rows)
        return
    t = table("#", "Name", "Organisation", "Role", "E-mail", "Phone", right=("#",))
    for c in rows:
        t.add_row(str(c.id), c.name, c.organisation, c.role, c.email or "", c.phone or "")
    print_table(t)


@pitch_app.command("add")
def pitch_add(
    ctx: typer.Context,
    event: Annotated[str, typer.Option()],
    startup: Annotated[str, typer.Option()],
    notes: Annotated[str, typer.Option()] = "",
    json: Json = False,
) -> None:
    """Record that a startup pitched at an event."""
    app = cli_context(ctx)
    require_named(event=event, startup=startup)
    with app.write() as session:
        names = resolve_names(session, actor=app.actor, event=event, startup=startup)
        assert names.event_id is not None and names.startup_id is not None
        view = service.record_pitch(
            session, actor=app.actor, event_id=names.event_id, startup_id=names.startup_id, notes=notes
        )
    print_json(view) if json else echo(f"Pitch #{view.id} recorded")
