"""``irp followup`` and ``irp followups``: what to chase, and when."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ir_pipeline.cli.context import cli_context
from ir_pipeline.cli.output import console, echo, print_json, print_table, table
from ir_pipeline.cli.versions import IfVersion
from ir_pipeline.dates import MAX_RELATIVE_DAYS, parse_date
from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.enums import Channel, parse_choice
from ir_pipeline.queries.followups import Urgency, follow_up_queue, urgency
from ir_pipeline.services import followups as service
from ir_pipeline.sharing import marked

app = typer.Typer(
    help="Add, complete, cancel, reopen or snooze a follow-up.", no_args_is_help=True, add_completion=False
)

_STYLE = {Urgency.OVERDUE: "bold red", Urgency.TODAY: "yellow", Urgency.UPCOMING: "", Urgency.CLOSED: "dim"}


@app.command()
def add(
    ctx: typer.Context,
    deal: Annotated[int, typer.Option(help="The deal's id.")],
    due: Annotated[str, typer.Option(help="2018-09-19, 2018.09.19, today, tomorrow, +3d, +2w.")],
    owner: Annotated[str, typer.Option()] = "",
    channel: Annotated[str, typer.Option(help="email, call, meeting, message, other.")] = "email",
    note: Annotated[str, typer.Option()] = "",
    shared: Annotated[
        bool, typer.Option("--shared", help="The startup may read the note (notes are internal by default).")
    ] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a follow-up to a deal (its note is internal unless --shared)."""
    app_ = cli_context(ctx)
    draft = FollowUpDraft(
        due_on=parse_date(due, today=app_.today, field="due"),
        owner=owner or app_.actor.name,
        channel=parse_choice(Channel, channel, what="channel"),
        note=note,
        shared=shared,
    )
    with app_.write() as session:
        view = service.add_follow_up(session, actor=app_.actor, deal_id=deal, draft=draft)
    if json:
        print_json(view)
        return
    echo(f"Follow-up #{view.id} on deal #{view.deal_id} due {view.due_on}")


@app.command()
def done(
    ctx: typer.Context,
    follow_up_id: int,
    note: Annotated[str, typer.Option()] = "",
    if_version: IfVersion = None,
) -> None:
    """Mark a follow-up done (a note is added, the original kept)."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        view = service.complete_follow_up(
            session, actor=app_.actor, follow_up_id=follow_up_id, note=note, expected_version=if_version
        )
    echo(f"Follow-up #{view.id} done")


@app.command()
def cancel(
    ctx: typer.Context,
    follow_up_id: int,
    reason: Annotated[str, typer.Option()] = "",
    if_version: IfVersion = None,
) -> None:
    """Cancel a follow-up that no longer applies."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        view = service.cancel_follow_up(
            session, actor=app_.actor, follow_up_id=follow_up_id, reason=reason, expected_version=if_version
        )
    echo(f"Follow-up #{view.id} cancelled")


@app.command()
def reopen(
    ctx: typer.Context,
    follow_up_id: int,
    note: Annotated[str, typer.Option()] = "",
    if_version: IfVersion = None,
) -> None:
    """Open a done or cancelled follow-up again (its notes are kept)."""
    app_ = cli_context(ctx)
    with app_.write() as session:
        view = service.reopen_follow_up(
            session, actor=app_.actor, follow_up_id=follow_up_id, note=note, expected_version=if_version
        )
    echo(f"Follow-up #{view.id} is open again, due {view.due_on}")


@app.command()
def share(ctx: typer.Context, follow_up_id: int, if_version: IfVersion = None) -> None:
    """Let the startup read the follow-up's note (staff's notes are internal until shared)."""
    _share(ctx, follow_up_id, shared=True, if_version=if_version)


@app.command()
def unshare(ctx: typer.Context, follow_up_id: int, if_version: IfVersion = None) -> None:
    """Make the follow-up's note internal again: the startup no longer reads it."""
    _share(ctx, follow_up_id, shared=False, if_version=if_version)


def _share(ctx: typer.Context, follow_up_id: int, *, shared: bool, if_version: int | None) -> None:
    app_ = cli_context(ctx)
    with app_.write() as session:
        view = service.share_follow_up(
            session, actor=app_.actor, follow_up_id=follow_up_id, shared=shared, expected_version=if_version
        )
    echo(f"Follow-up #{view.id}: the note is {'shared with the startup' if shared else 'internal'}")


@app.command()
def snooze(
    ctx: typer.Context,
    follow_up_id: int,
    to: Annotated[str, typer.Option(help="New due date (e.g. +3d, tomorrow, 2026-12-01).")] = "+1d",
    if_version: IfVersion = None,
) -> None:
    """Move an open follow-up's due date."""
    app_ = cli_context(ctx)
    due_on = parse_date(to, today=app_.today, field="to")
    with app_.write() as session:
        view = service.reschedule_follow_up(
            session, actor=app_.actor, follow_up_id=follow_up_id, due_on=due_on, expected_version=if_version
        )
    echo(f"Follow-up #{view.id} now due {view.due_on}")


def queue(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within", min=0, max=MAX_RELATIVE_DAYS, help="Only due within DAYS.", metavar="DAYS"
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include done and cancelled.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 200,
    after: Annotated[
        str | None, typer.Option(help="Start after this cursor (printed under the previous page).")
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
    ics: Annotated[
        bool, typer.Option("--ics", help="Every open follow-up as an iCalendar file, for a calendar.")
    ] = False,
) -> None:
    """The follow-up queue: overdue first, then due today, then upcoming, a page at a time."""
    app_ = cli_context(ctx)
    today = app_.today
    if ics:
        from ir_pipeline.cli.output import standard_output
        from ir_pipeline.io.calendar import write_ics

        with app_.read() as session:
            write_ics(session, actor=app_.actor, today=today, out=standard_output())
        return
    with app_.read() as session:
        page = follow_up_queue(
            session,
            actor=app_.actor,
            today=today,
            overdue_only=overdue,
            due_within_days=due_within,
            include_closed=all_,
            after=after,
            limit=limit,
        )
    if json:
        print_json(
            {
                "total": page.total,
                "overdue": page.overdue,
                "counts_exact": page.counts_exact,
                "next_after": page.next_after,
                "follow_ups": [{**_as_dict(f), "urgency": urgency(f, today).value} for f in page.items],
            }
        )
        return
    t = table("#", "Due", "", "Deal", "Startup", "Investor", "Channel", "Owner", "Note", right=("#", "Deal"))
    for f in page.items:
        u = urgency(f, today)
        t.add_row(
            str(f.id),
            Text(str(f.due_on), style=_STYLE[u]),
            Text(u.value, style=_STYLE[u]),
            str(f.deal_id),
            f.startup,
            f.investor,
            f.channel.value,
            f.owner,
            marked(f.note.splitlines()[0], f.note_shared, app_.actor) if f.note else "",
        )
    out = console()
    print_table(t)
    noun = "follow-up" if page.total == 1 and page.counts_exact else "follow-ups"
    late = page.count_label(page.overdue)
    out.print(f"{len(page.items)} of {page.count_label(page.total)} {noun}, {late} overdue")
    if page.next_after:
        out.print(f"next page: --after {page.next_after}")


def _as_dict(view: object) -> dict[str, object]:
    from ir_pipeline.views import jsonable

    result = jsonable(view)
    assert isinstance(result, dict)
    return result
