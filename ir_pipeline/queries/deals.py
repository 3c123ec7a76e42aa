"""Deals: the pipeline table (paged in SQL) and one deal in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.errors import NotFound
from ir_pipeline.models import (
    Deal,
    Event,
    FollowUp,
    Funding,
    Investor,
    LetterOfIntent,
    StageChange,
    Startup,
)
from ir_pipeline.money import Money
from ir_pipeline.present import follow_up_view, funding_view, loi_view, stage_change_view
from ir_pipeline.queries import name_search
from ir_pipeline.queries.cursor import COUNT_CAP
from ir_pipeline.queries.funnel import FunnelFilter
from ir_pipeline.queries.funnel_cells import deals_in_scope, scope_of
from ir_pipeline.queries.hidden import hidden_from
from ir_pipeline.queries.keyset import Run, capped_count, walk
from ir_pipeline.queries.scope import visible_deals, visible_events, visible_investors, visible_startups
from ir_pipeline.sharing import readable_column
from ir_pipeline.stages import Stage, allowed_moves
from ir_pipeline.summaries.contributions import ALL
from ir_pipeline.views import DealDetail, DealRow

SortKey = Literal["id", "startup", "investor", "stage", "last_loi", "next_follow_up", "stage_changed_at"]


@dataclass(frozen=True, slots=True)
class DealFilter:
    stage: Stage | None = None
    startup_id: int | None = None
    investor_id: int | None = None
    event_id: int | None = None
    search: str = ""


@dataclass(frozen=True, slots=True)
class DealPage:
    rows: list[DealRow]
    total: int
    offset: int
    limit: int
    #: False when ``total`` is only a lower bound (more than :data:`COUNT_CAP` matches).
    total_exact: bool = True
    #: Where the next page starts (``list_deals(after=...)``); ``None`` on the last page.
    next_after: str | None = None

    @property
    def total_label(self) -> str:
        return f"{self.total:,}" if self.total_exact else f"{self.total:,}+"


def _base_query() -> Any:
    return (
        sa.select(
            col(Deal.id),
            col(Deal.startup_id),
            col(Startup.name).label("startup"),
            col(Deal.investor_id),
            col(Investor.name).label("investor"),
            col(Event.name).label("event"),
            col(Deal.stage),
            col(Deal.stage_changed_at),
            col(Deal.last_loi_minor).label("last_amount"),
            col(Deal.last_loi_currency).label("last_currency"),
            col(Deal.next_follow_up_on).label("next_due"),
            col(Deal.owner),
            col(Deal.version),
        )
        .join(Startup, col(Startup.id) == Deal.startup_id)
        .join(Investor, col(Investor.id) == Deal.investor_id)
        .outerjoin(Event, col(Event.id) == Deal.event_id)
    )


def _keys_query(sort: SortKey) -> Any:
    """What a page is walked on: the deals' ids and sort value, joined to a name only when the
    sort is by it; the names are joined to the page's rows only. Asked to join every name while
    walking, PostgreSQL would rather join everything past the cursor and sort it than walk the
    sort's index and stop after a page (a far page by next follow-up took 70 ms at a million)."""
    columns: list[Any] = [col(Deal.id)]
    query: Any
    if sort == "startup":
        query = sa.select(*columns, col(Startup.name).label("startup"))
        return query.join(Startup, col(Startup.id) == Deal.startup_id)
    if sort == "investor":
        query = sa.select(*columns, col(Investor.name).label("investor"))
        return query.join(Investor, col(Investor.id) == Deal.investor_id)
    if sort in _VALUES:
        value = {
            "stage_changed_at": col(Deal.stage_changed_at),
            "last_loi": col(Deal.last_loi_minor),
            "next_follow_up": col(Deal.next_follow_up_on),
        }[sort]
        columns.append(value.label(_VALUES[sort][1]))
    return sa.select(*columns)


def _row(r: Any) -> DealRow:
    return DealRow(
        id=r.id,
        startup_id=r.startup_id,
        startup=r.startup,
        investor_id=r.investor_id,
        investor=r.investor,
        event=r.event,
        stage=r.stage,
        stage_changed_at=r.stage_changed_at,
        last_loi=None if r.last_amount is None else Money.from_minor(r.last_amount, r.last_currency),
        next_follow_up=r.next_due,
        owner=r.owner,
        version=r.version,
    )


def _apply_filter(query: Any, actor: Actor, flt: DealFilter, search: Any = None) -> Any:
    """``flt`` on ``query``; ``search`` is the deal condition of ``flt.search``
    (:func:`_search`), found once per page for the rows and the count."""
    query = visible_deals(
        query, actor, event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id
    )
    if flt.stage is not None:
        query = query.where(Deal.stage == flt.stage)
    if search is not None:
        query = query.where(search)
    return query


def _search(session: Session, flt: DealFilter, page: int) -> tuple[name_search.Named | None, Any]:
    """The companies ``flt.search`` names, and the condition on deals that finds theirs."""
    if not flt.search.strip():
        return None, None
    named = name_search.find(session, flt.search, stage=flt.stage)
    return named, name_search.condition(named, many=name_search.many(named, page=page))


@dataclass(frozen=True, slots=True)
class FilterChip:
    """One active filter, as the screen shows it above the table: ``key`` says which to clear."""

    key: str
    label: str


def filter_chips(session: Session, *, actor: Actor, flt: DealFilter) -> list[FilterChip]:
    """The filters in force, named for people (a startup's name, not its id), in a fixed order."""
    chips: list[FilterChip] = []
    if flt.startup_id is not None:
        startup = visible_startups(select(Startup.name), actor).where(Startup.id == flt.startup_id)
        chips.append(FilterChip("startup", f"Startup: {session.exec(startup).first() or flt.startup_id}"))
    if flt.investor_id is not None:
        investor = visible_investors(select(Investor.name), actor).where(Investor.id == flt.investor_id)
        chips.append(FilterChip("investor", f"Investor: {session.exec(investor).first() or flt.investor_id}"))
    if flt.event_id is not None:
        event = visible_events(select(Event.name), actor).where(Event.id == flt.event_id)
        chips.append(FilterChip("event", f"Event: {session.exec(event).first() or flt.event_id}"))
    if flt.stage is not None:
        chips.append(FilterChip("stage", f"Stage: {flt.stage.label}"))
    if flt.search.strip():
        chips.append(FilterChip("search", f"Search: {flt.search.strip()}"))
    return chips


#: The type of each sort's value in a cursor, and the selected column that holds it.
_VALUES: dict[str, tuple[type, str]] = {
    "startup": (str, "startup"),
    "investor": (str, "investor"),
    "stage_changed_at": (datetime, "stage_changed_at"),
    "last_loi": (int, "last_amount"),
    "next_follow_up": (date, "next_due"),
}


def _runs(sort: SortKey, descending: bool) -> list[Run]:
    """A sort as runs that each walk one index: empty values after the others in both
    directions, and stages in pipeline order (one index range per stage)."""
    by_id = (col(Deal.id),)
    if sort == "stage":
        stages = list(reversed(Stage)) if descending else list(Stage)
        return [Run(col(Deal.stage) == stage, by_id) for stage in stages]
    if sort == "id":
        return [Run(sa.true(), by_id)]
    value_type = _VALUES[sort][0]
    nullable = {"last_loi": col(Deal.last_loi_minor), "next_follow_up": col(Deal.next_follow_up_on)}
    if sort in nullable:
        column = nullable[sort]
        return [Run(column.is_not(None), (column, *by_id), value_type), Run(column.is_(None), by_id)]
    value = {
        "startup": col(Startup.name),
        "investor": col(Investor.name),
        "stage_changed_at": col(Deal.stage_changed_at),
    }[sort]
    return [Run(sa.true(), (value, *by_id), value_type)]


def list_deals(
    session: Session,
    *,
    actor: Actor,
    flt: DealFilter = DealFilter(),
    sort: SortKey = "id",
    descending: bool = False,
    after: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> DealPage:
    """One page of the pipeline, sorted and filtered in SQL.

    Pages follow each other by keyset: ``after`` is the previous page's ``next_after``, and the
    page is read through the sort's index at the same cost however far down it is. ``offset`` is
    for a first page that starts further down (it costs as many rows as it skips).
    """
    label = _VALUES[sort][1] if sort in _VALUES else None
    named, search = _search(session, flt, limit)
    walked = walk(
        session,
        _apply_filter(_keys_query(sort), actor, flt, search),
        _runs(sort, descending),
        key_of=lambda r: (getattr(r, label) if label else None, r.id),
        after=after,
        offset=offset,
        limit=limit,
        descending=descending,
        listing="sort of the pipeline",
        rows_of=lambda page: _base_query().join(page, page.c.id == Deal.id),
    )
    total, exact = _count(session, actor, flt, named, search)
    return DealPage(
        rows=[_row(r) for _, r in walked.rows],
        total=total,
        offset=offset,
        limit=limit,
        total_exact=exact,
        next_after=walked.next_after,
    )


def deal_count(session: Session, *, actor: Actor, flt: DealFilter = DealFilter()) -> tuple[int, bool]:
    """How many deals match, and whether that is exact: read from the funnel's running totals
    when they answer the filter, else counted up to :data:`COUNT_CAP` ("10,000+")."""
    return _count(session, actor, flt, *_search(session, flt, COUNT_CAP))


def _count(
    session: Session, actor: Actor, flt: DealFilter, named: name_search.Named | None, search: Any
) -> tuple[int, bool]:
    scope = scope_of(
        actor, FunnelFilter(event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id)
    )
    if named is None and scope is not None:
        return deals_in_scope(session, scope, stage=flt.stage), True
    if named is not None and scope == (ALL, 0):  # a search of the whole pipeline
        counted = name_search.count(session, named)
        if counted is not None:
            return counted
    matching = _apply_filter(select(col(Deal.id)), actor, flt, search)
    return capped_count(session, matching, col(Deal.id), COUNT_CAP)


def get_deal_row(session: Session, *, actor: Actor, deal_id: int) -> DealRow:
    query = _base_query()
    query = _apply_filter(query.where(Deal.id == deal_id), actor, DealFilter())
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"no deal #{deal_id}")
    return _row(row)


def get_deal_detail(session: Session, *, actor: Actor, deal_id: int) -> DealDetail:
    """A deal with its LOIs, follow-ups, fundings and full stage history."""
    row = get_deal_row(session, actor=actor, deal_id=deal_id)
    shown = readable_column(actor, "deal", "notes")  # the notes, or for a startup their shared part
    assert shown is not None
    notes, shared = session.execute(
        sa.select(col(getattr(Deal, shown)), col(Deal.notes_shared)).where(col(Deal.id) == deal_id)
    ).one()
    lois = session.exec(
        select(LetterOfIntent)
        .where(LetterOfIntent.deal_id == deal_id)
        .order_by(col(LetterOfIntent.received_on), col(LetterOfIntent.id))
    ).all()
    follow_ups = session.exec(
        select(FollowUp)
        .where(FollowUp.deal_id == deal_id)
        .order_by(col(FollowUp.due_on), col(FollowUp.id))
        .options(*hidden_from(actor, FollowUp))
    ).all()
    fundings = session.exec(select(Funding).where(Funding.deal_id == deal_id).order_by(col(Funding.id))).all()
    history = session.exec(
        select(StageChange)
        .where(StageChange.deal_id == deal_id)
        .order_by(col(StageChange.changed_at), col(StageChange.id))
        .options(*hidden_from(actor, StageChange))
    ).all()
    return DealDetail(
        deal=row,
        notes=notes or "",
        notes_shared=shared,
        lois=[loi_view(x, row.startup, row.investor) for x in lois],
        follow_ups=[follow_up_view(f, row.startup, row.investor, reader=actor) for f in follow_ups],
        fundings=[funding_view(f) for f in fundings],
        history=[stage_change_view(h, reader=actor) for h in history],
        allowed_moves=allowed_moves(row.stage),
    )
