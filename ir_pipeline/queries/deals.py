"""Deals: the pipeline table (paged in SQL) and one deal in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import name_index
from ir_pipeline.actors import Actor
from ir_pipeline.errors import Invalid, NotFound
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
from ir_pipeline.naming import name_key
from ir_pipeline.present import follow_up_view, funding_view, loi_view, stage_change_view
from ir_pipeline.queries.cursor import COUNT_CAP, Cursor
from ir_pipeline.queries.funnel import FunnelFilter
from ir_pipeline.queries.funnel_cells import deals_in_scope, scope_of
from ir_pipeline.queries.scope import visible_deals, visible_events, visible_investors, visible_startups
from ir_pipeline.stages import Stage, allowed_moves
from ir_pipeline.text import like_pattern
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


def _apply_filter(query: Any, actor: Actor, flt: DealFilter, dialect: str = "") -> Any:
    query = visible_deals(
        query, actor, event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id
    )
    if flt.stage is not None:
        query = query.where(Deal.stage == flt.stage)
    if flt.search.strip():
        # The few matching startups and investors first (through their trigram index), then
        # their deals through the foreign-key indexes: no LIKE evaluated per deal row.
        # A union of two index lookups, not an OR (which reads every deal to test it): the cost
        # follows the number of matching deals, not the size of the pipeline.
        key = name_key(flt.search)
        matching = sa.union(
            sa.select(col(Deal.id)).where(col(Deal.startup_id).in_(_named(Startup, "s", key, dialect))),
            sa.select(col(Deal.id)).where(col(Deal.investor_id).in_(_named(Investor, "i", key, dialect))),
        )
        query = query.where(col(Deal.id).in_(matching))
    return query


def _named(model: Any, kind: str, key: str, dialect: str) -> Any:
    indexed = name_index.matching(kind, key, dialect)
    if indexed is not None:
        return indexed
    return sa.select(col(model.id)).where(col(model.name_key).like(like_pattern(key), escape="\\"))


_STAGE_ORDER = sa.case({stage.value: rank for rank, stage in enumerate(Stage)}, value=Deal.stage)


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


@dataclass(frozen=True, slots=True)
class _Part:
    """One run of a sort: the rows matching ``where``, ordered by ``value`` (then id)."""

    where: Any
    value: Any = None


def _parts(sort: SortKey, descending: bool) -> list[_Part]:
    """A sort as runs that each walk one index: empty values after the others in both
    directions, and stages in pipeline order (one index range per stage)."""
    if sort == "stage":
        stages = list(reversed(Stage)) if descending else list(Stage)
        return [_Part(col(Deal.stage) == stage) for stage in stages]
    nullable = {"last_loi": col(Deal.last_loi_minor), "next_follow_up": col(Deal.next_follow_up_on)}
    if sort in nullable:
        column = nullable[sort]
        return [_Part(column.is_not(None), column), _Part(column.is_(None))]
    value = {
        "id": None,
        "startup": col(Startup.name),
        "investor": col(Investor.name),
        "stage_changed_at": col(Deal.stage_changed_at),
    }[sort]
    return [_Part(sa.true(), value)]


def _page_query(query: Any, part: _Part, after: Cursor | None, descending: bool) -> Any:
    query = query.where(part.where)
    keys: list[Any] = [part.value, col(Deal.id)] if part.value is not None else [col(Deal.id)]
    if after is not None:
        last = [after.value, after.id] if part.value is not None else [after.id]
        # bound with each column's own type (UTC instants are stored naive on SQLite)
        row, mark = (
            sa.tuple_(*keys),
            sa.tuple_(*(sa.literal(v, k.type) for v, k in zip(last, keys, strict=True))),
        )
        query = query.where(row < mark if descending else row > mark)
    return query.order_by(*(k.desc() if descending else k.asc() for k in keys))


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
    cursor = Cursor.decode(after) if after else None
    parts = _parts(sort, descending)
    if cursor is not None and not _fits(cursor, sort, parts):
        raise Invalid("that cursor belongs to another sort of the pipeline", field="after")
    base = _apply_filter(_base_query(), actor, flt, _dialect(session))
    found: list[tuple[int, Any]] = []
    skip = 0 if cursor else offset
    for index in range(cursor.part if cursor else 0, len(parts)):
        part = parts[index]
        query = _page_query(base, part, cursor if cursor and index == cursor.part else None, descending)
        wanted = limit + 1 - len(found)
        rows = session.execute(query.offset(skip).limit(wanted)).all()
        if skip:
            skip = 0 if rows else skip - _count_part(session, base, part, skip)
        found += [(index, r) for r in rows]
        if len(found) > limit:
            break
    page, more = found[:limit], len(found) > limit
    next_after = None
    if more and page:
        index, last = page[-1]
        value_column = parts[index].value
        value = None if value_column is None else getattr(last, _LABELS[sort])
        next_after = Cursor(index, value, int(last.id)).encode()
    total, exact = deal_count(session, actor=actor, flt=flt)
    return DealPage(
        rows=[_row(r) for _, r in page],
        total=total,
        offset=offset,
        limit=limit,
        total_exact=exact,
        next_after=next_after,
    )


#: The type of each sort's value in a cursor.
_VALUE_TYPES: dict[str, type] = {
    "startup": str,
    "investor": str,
    "stage_changed_at": datetime,
    "last_loi": int,
    "next_follow_up": date,
}


def _fits(cursor: Cursor, sort: SortKey, parts: list[_Part]) -> bool:
    """Whether a cursor (untrusted: it may come from the command line) fits this sort."""
    if cursor.part >= len(parts):
        return False
    if parts[cursor.part].value is None:
        return cursor.value is None
    wanted = _VALUE_TYPES[sort]
    if wanted is date:
        return type(cursor.value) is date
    return isinstance(cursor.value, wanted)


#: The selected column that holds each sort's value (for the cursor).
_LABELS: dict[str, str] = {
    "startup": "startup",
    "investor": "investor",
    "stage_changed_at": "stage_changed_at",
    "last_loi": "last_amount",
    "next_follow_up": "next_due",
}


def _count_part(session: Session, base: Any, part: _Part, upto: int) -> int:
    """How many rows of ``part`` an offset skipped (at most ``upto``)."""
    inner = base.where(part.where).with_only_columns(col(Deal.id)).limit(upto).subquery()
    return int(session.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())


def deal_count(session: Session, *, actor: Actor, flt: DealFilter = DealFilter()) -> tuple[int, bool]:
    """How many deals match, and whether that is exact: read from the funnel's running totals
    when they answer the filter, else counted up to :data:`COUNT_CAP` ("10,000+")."""
    if not flt.search.strip():
        scope = scope_of(
            actor, FunnelFilter(event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id)
        )
        if scope is not None:
            return deals_in_scope(session, scope, stage=flt.stage), True
    matching = (
        _apply_filter(select(col(Deal.id)), actor, flt, _dialect(session)).limit(COUNT_CAP + 1).subquery()
    )
    n = int(session.execute(sa.select(sa.func.count()).select_from(matching)).scalar_one())
    return min(n, COUNT_CAP), n <= COUNT_CAP


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


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
    deal = session.get(Deal, deal_id)
    assert deal is not None
    lois = session.exec(
        select(LetterOfIntent)
        .where(LetterOfIntent.deal_id == deal_id)
        .order_by(col(LetterOfIntent.received_on), col(LetterOfIntent.id))
    ).all()
    follow_ups = session.exec(
        select(FollowUp).where(FollowUp.deal_id == deal_id).order_by(col(FollowUp.due_on), col(FollowUp.id))
    ).all()
    fundings = session.exec(select(Funding).where(Funding.deal_id == deal_id).order_by(col(Funding.id))).all()
    history = session.exec(
        select(StageChange)
        .where(StageChange.deal_id == deal_id)
        .order_by(col(StageChange.changed_at), col(StageChange.id))
    ).all()
    return DealDetail(
        deal=row,
        notes=deal.notes,
        lois=[loi_view(x, row.startup, row.investor) for x in lois],
        follow_ups=[follow_up_view(f, row.startup, row.investor) for f in follow_ups],
        fundings=[funding_view(f) for f in fundings],
        history=[stage_change_view(h) for h in history],
        allowed_moves=allowed_moves(row.stage),
    )
