"""``irp deal``: list, show, open and move deals."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.filters import resolve_names
from ir_pipeline.cli.output import console, echo, money, print_json, print_table, table
from ir_pipeline.cli.versions import IfVersion
from ir_pipeline.clock import format_local, utcnow
from ir_pipeline.enums import label
from ir_pipeline.errors import Invalid
from ir_pipeline.lookup import require_named
from ir_pipeline.queries.deals import DealFilter, get_deal_detail, list_deals
from ir_pipeline.services import deals as deal_service
from ir_pipeline.sharing import marked
from ir_pipeline.stages import Stage, parse_stage
from ir_pipeline.text import printable

app = typer.Typer(help="Deals: one startup × one investor.", no_args_is_help=True, add_completion=False)

SORTS = ["id", "startup", "investor", "stage", "last_loi", "next_follow_up", "stage_changed_at"]


@app.command("list")
def list_(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    startup: Annotated[str | None, typer.Option()] = None,
    investor: Annotated[str | None, typer.Option()] = None,
    event: Annotated[str | None, typer.Option()] = None,
    search: Annotated[str, typer.Option(help="Startup or investor name contains.")] = "",
    sort: Annotated[str, typer.Option(help=f"One of {', '.join(SORTS)}.")] = "id",
    desc: Annotated[bool, typer.Option("--desc", help="Largest / latest first.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    after: Annotated[
        str | None, typer.Option(help="Start after this cursor (printed under the previous page).")
    ] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many rows first (--after is faster).")] = 0,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The pipeline: deals with their stage, last LOI and next follow-up, a page at a time."""
    if sort not in SORTS:
        raise typer.BadParameter(f"use one of {', '.join(SORTS)}", param_hint="--sort")
    app_ = cli_context(ctx)
    with app_.read() as session:
        names = resolve_names(session, actor=app_.actor, event=event, startup=startup, investor=investor)
        page = list_deals(
            session,
            actor=app_.actor,
            flt=DealFilter(
                stage=parse_stage(stage) if stage else None,
                startup_id=names.startup_id,
                investor_id=names.investor_id,
                event_id=names.event_id,
                search=search,
            ),
            sort=sort,  # type: ignore[arg-type]
            descending=desc,
            after=after,
            offset=offset,
            limit=limit,
        )
    if json:
        print_json(
            {
                "total": page.total,
                "total_exact": page.total_exact,
                "offset": page.offset,
                "next_after": page.next_after,
                "deals": page.rows,
            }
        )
        return
    now = utcnow()
    t = table(
        "#",
        "Startup",
        "Investor",
        "Stage",
        "Last LOI",
        "Next follow-up",
        "Days",
        right=("#", "Last LOI", "Days"),
    )
    for r in page.rows:
        t.add_row(
            str(r.id),
            r.startup,
            r.investor,
            r.stage.label,
            money(r.last_loi),
            str(r.next_follow_up or ""),
            str(r.days_in_stage(now)),
        )
    out = console()
    print_table(t)
    deals = "deal" if page.total == 1 and page.total_exact else "deals"
    out.print(f"{len(page.rows)} shown of {page.total_label} {deals}")
    if page.next_after:
        out.print(f"next page: --after {page.next_after}")


@app.command()
def show(ctx: typer.Context, deal_id: int, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One deal: LOIs, follow-ups, fundings and stage history."""
    app_ = cli_context(ctx)
    with app_.read() as session:
        detail = get_deal_detail(session, actor=app_.actor, deal_id=deal_id)
    if json:
        print_json(detail)
        return
    d = detail.deal
    out = console()
    out.print(Text(printable(f"Deal #{d.id}  {d.startup} × {d.investor}  —  {d.stage.label}"), style="bold"))
    out.print(
        f"Event: {d.event or '—'}   Owner: {d.owner or '—'}   "
        f"In stage since {format_local(d.stage_changed_at)}"
    )
    if detail.notes:
        out.print(Text(printable(f"Notes: {marked(detail.notes, detail.notes_shared, app_.actor)}")))
    if detail.lois:
        t = table(
            "#",
            "Amount",
            "Upper",
            "Instrument",
            "Received",
            "Valid until",
            "Status",
            title="LOIs",
            right=("Amount", "Upper"),
        )
        for x in detail.lois:
            t.add_row(
                str(x.id),
                money(x.amount),
                money(x.amount_max),
                label(x.instrument),
                str(x.received_on),
                str(x.valid_until or ""),
                label(x.status),
            )
        out.print(t)
    if detail.follow_ups:
        t = table("#", "Due", "Channel", "Owner", "Status", "Note", title="Follow-ups")
        for f in detail.follow_ups:
            t.add_row(
                str(f.id),
                str(f.due_on),
                label(f.channel),
                f.owner,
                label(f.status),
                marked(f.note, f.note_shared, app_.actor),
            )
        out.print(t)
    if detail.fundings:
        t = table("#", "Amount", "Instrument", "Closed", title="Fundings", right=("Amount",))
        for g in detail.fundings:
            t.add_row(str(g.id), money(g.amount), label(g.instrument), str(g.closed_on))
        out.print(t)
    reasons = app_.actor.reads_internal  # the reasons for moves are staff's own
    t = table("When", "From", "To", "By", *(["Reason"] if reasons else []), title="Stage history")
    for h in detail.history:
        t.add_row(
            format_local(h.changed_at),
            h.from_stage.label if h.from_stage else "—",
            h.to_stage.label,
            h.changed_by,
            *([h.reason] if reasons else []),
        )
    print_table(t)
    final = (
        f"none (lost: `irp deal revert {d.id} --reason …` reopens it)"
        if d.stage is Stage.LOST
        else "none (final)"
    )
    out.print(f"Allowed moves: {', '.join(s.label for s in detail.allowed_moves) or final}")


@app.command("edit")
def edit_(
    ctx: typer.Context,
    deal_id: int,
    owner: Annotated[str | None, typer.Option(help="Who on the team owns the deal.")] = None,
    notes: Annotated[str | None, typer.Option(help="The deal's notes (replaces them).")] = None,
    shared: Annotated[
        bool | None,
        typer.Option(
            "--shared/--internal", help="Whether the startup may read the notes (internal by default)."
        ),
    ] = None,
    if_version: IfVersion = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Edit a deal's owner or notes, or share its notes with the startup."""
    app_ = cli_context(ctx)
    if owner is None and notes is None and shared is None:
        raise Invalid("nothing to change: give --owner, --notes, --shared or --internal")
    with app_.write() as session:
        row = deal_service.update_deal(
            session,
            actor=app_.actor,
            deal_id=deal_id,
            owner=owner,
            notes=notes,
            notes_shared=shared,
            expected_version=if_version,
        )
    print_json(row) if json else echo(f"Deal #{row.id} saved")


@app.command()
def move(
    ctx: typer.Context,
    deal_id: int,
    stage: str,
    reason: Annotated[str, typer.Option(help="Why (required for lost).")] = "",
    keep_follow_ups: Annotated[
        bool,
        typer.Option("--keep-follow-ups", help="Moving to lost or funded: keep its open follow-ups open."),
    ] = False,
    if_version: IfVersion = None,
) -> None:
    """Move a deal to STAGE (sourced, pitched, loi, diligence, term_sheet, funded, lost, on_hold).

    A deal that ends (lost, funded) has its open follow-ups cancelled, unless --keep-follow-ups.
    """
    target = parse_stage(stage)
    app_ = cli_context(ctx)
    with app_.write() as session:
        change = deal_service.move_stage(
            session,
            actor=app_.actor,
            deal_id=deal_id,
            to=target,
            reason=reason,
            cancel_follow_ups=not keep_follow_ups,
            expected_version=if_version,
        )
    before = change.from_stage.label if change.from_stage else "—"
    echo(f"Deal #{deal_id}: {before} → {change.to_stage.label}")


@app.command()
def revert(
    ctx: typer.Context,
    deal_id: int,
    reason: Annotated[str, typer.Option(help="Why (required to reopen a lost deal).")] = "",
    if_version: IfVersion = None,
) -> None:
    """Take back a deal's latest move; reopens a lost deal at the stage it was lost from, with the
    follow-ups that losing it cancelled."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        change = deal_service.revert_stage(
            session, actor=app_.actor, deal_id=deal_id, reason=reason, expected_version=if_version
        )
    before = change.from_stage.label if change.from_stage else "—"
    echo(f"Deal #{deal_id}: {before} → {change.to_stage.label} (the move is in the history)")


@app.command("open")
def open_(
    ctx: typer.Context,
    startup: Annotated[str, typer.Option(help="Startup name, id or 사업자등록번호.")],
    investor: Annotated[str, typer.Option(help="Investor name or id.")],
    event: Annotated[str | None, typer.Option(help="The event the deal came from.")] = None,
    stage: Annotated[str, typer.Option(help="sourced, pitched or loi.")] = "sourced",
    owner: Annotated[str, typer.Option(help="Who on the team chases it.")] = "",
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Open a deal between a startup and an investor."""
    app_ = cli_context(ctx)
    start = parse_stage(stage)
    require_named(startup=startup, investor=investor)
    with app_.write() as session:
        names = resolve_names(session, actor=app_.actor, event=event, startup=startup, investor=investor)
        assert names.startup_id is not None and names.investor_id is not None
        row = deal_service.open_deal(
            session,
            actor=app_.actor,
            startup_id=names.startup_id,
            investor_id=names.investor_id,
            event_id=names.event_id,
            stage=start,
            owner=owner,
        )
    if json:
        print_json(row)
        return
    echo(f"Opened deal #{row.id}: {row.startup} × {row.investor} at {row.stage.label}")
