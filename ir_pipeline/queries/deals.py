"""Deals: the pipeline table (paged in SQL) and one deal in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.enums import FollowUpStatus
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
from ir_pipeline.naming import name_key
from ir_pipeline.present import follow_up_view, funding_view, loi_view, stage_change_view
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


def _last_loi_column(column: Any) -> Any:
    return (
        select(column)
        .where(LetterOfIntent.deal_id == Deal.id)
        .order_by(col(LetterOfIntent.received_on).desc(), col(LetterOfIntent.id).desc())
        .limit(1)
        .correlate(Deal)
        .scalar_subquery()
    )


def _base_query() -> Any:
    last_amount = _last_loi_column(LetterOfIntent.amount_minor).label("last_amount")
    last_currency = _last_loi_column(LetterOfIntent.currency).label("last_currency")
    next_due = (
        select(sa.func.min(col(FollowUp.due_on)))
        .where(col(FollowUp.deal_id) == Deal.id, col(FollowUp.status) == FollowUpStatus.OPEN)
        .correlate(Deal)
        .scalar_subquery()
        .label("next_due")
    )
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
            last_amount,
            last_currency,
            next_due,
            col(Deal.owner),
            col(Deal.version),
        )
        .join(Startup, col(Startup.id) == Deal.startup_id)
        .join(Investor, col(Investor.id) == Deal.investor_id)
        .outerjoin(Event, col(Event.id) == Deal.event_id)
    ), {"last_loi": last_amount, "next_follow_up": next_due}


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


def _apply_filter(query: Any, actor: Actor, flt: DealFilter) -> Any:
    query = visible_deals(
        query, actor, event_id=flt.event_id, startup_id=flt.startup_id, investor_id=flt.investor_id
    )
    if flt.stage is not None:
        query = query.where(Deal.stage == flt.stage)
    if flt.search.strip():
        # The few matching startups and investors first (one scan of each small table), then their
        # deals through the foreign-key indexes: no LIKE evaluated per deal row across the join.
        key = like_pattern(name_key(flt.search))
        startups = sa.select(col(Startup.id)).where(col(Startup.name_key).like(key, escape="\\"))
        investors = sa.select(col(Investor.id)).where(col(Investor.name_key).like(key, escape="\\"))
        query = query.where(sa.or_(col(Deal.startup_id).in_(startups), col(Deal.investor_id).in_(investors)))
    return query


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


def list_deals(
    session: Session,
    *,
    actor: Actor,
    flt: DealFilter = DealFilter(),
    sort: SortKey = "id",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> DealPage:
    """One page of the pipeline, sorted and filtered in SQL, with the total for the scrollbar."""
    query, computed = _base_query()
    query = _apply_filter(query, actor, flt)
    sort_columns: dict[str, Any] = {
        "id": Deal.id,
        "startup": Startup.name,
        "investor": Investor.name,
        "stage": _STAGE_ORDER,  # pipeline order, not alphabetical
        "stage_changed_at": Deal.stage_changed_at,
        **computed,
    }
    key = sort_columns[sort]
    order = [
        key.desc() if descending else key.asc(),
        col(Deal.id).desc() if descending else col(Deal.id).asc(),
    ]
    if sort in computed:
        order.insert(0, key.is_(None))  # empty values last either way
    rows = session.execute(query.order_by(*order).offset(offset).limit(limit)).all()
    count_query = _apply_filter(select(sa.func.count()).select_from(Deal), actor, flt)
    total = session.exec(count_query).one()
    return DealPage(rows=[_row(r) for r in rows], total=int(total), offset=offset, limit=limit)


def get_deal_row(session: Session, *, actor: Actor, deal_id: int) -> DealRow:
    query, _ = _base_query()
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
