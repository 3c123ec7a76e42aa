"""The follow-up queue: overdue first, then today, then upcoming."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, or_, select

from ir_pipeline.actors import Actor
from ir_pipeline.dates import MAX_RELATIVE_DAYS
from ir_pipeline.enums import FollowUpStatus
from ir_pipeline.models import Deal, FollowUp, Investor, Startup
from ir_pipeline.present import follow_up_view
from ir_pipeline.queries.cursor import COUNT_CAP
from ir_pipeline.queries.hidden import hidden_from
from ir_pipeline.queries.keyset import Run, capped_count, walk
from ir_pipeline.views import FollowUpView


class Urgency(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    UPCOMING = "upcoming"
    CLOSED = "closed"


def urgency(item: FollowUpView, today: date) -> Urgency:
    if item.status is not FollowUpStatus.OPEN:
        return Urgency.CLOSED
    if item.due_on < today:
        return Urgency.OVERDUE
    return Urgency.TODAY if item.due_on == today else Urgency.UPCOMING


@dataclass(frozen=True, slots=True)
class FollowUpPage:
    items: list[FollowUpView]
    total: int
    overdue: int
    #: False when the counts are lower bounds (more than ``COUNT_CAP``): shown as "10,000+".
    counts_exact: bool = True
    #: Where the next page starts (``follow_up_queue(after=...)``); ``None`` on the last page.
    next_after: str | None = None

    def count_label(self, n: int) -> str:
        return f"{n:,}" if self.counts_exact or n < COUNT_CAP else f"{n:,}+"


def follow_up_queue(
    session: Session,
    *,
    actor: Actor,
    today: date,
    overdue_only: bool = False,
    due_within_days: int | None = None,
    include_closed: bool = False,
    closed_since: datetime | None = None,
    deal_id: int | None = None,
    startup_id: int | None = None,
    after: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> FollowUpPage:
    """Open follow-ups by due date (so overdue come first), paged in SQL; then closed ones, with
    ``include_closed`` (all of them) or ``closed_since`` (those closed at or after it)."""
    query = (
        select(FollowUp, Startup.name, Investor.name)
        .join(Deal, col(Deal.id) == FollowUp.deal_id)
        .join(Startup, col(Startup.id) == Deal.startup_id)
        .join(Investor, col(Investor.id) == Deal.investor_id)
        .options(*hidden_from(actor, FollowUp))
    )
    conditions: list[Any] = []
    scope = actor.startup_scope
    if scope is not None:
        conditions.append(col(Deal.startup_id) == scope)
    if startup_id is not None:
        conditions.append(col(Deal.startup_id) == startup_id)
    if deal_id is not None:
        conditions.append(col(FollowUp.deal_id) == deal_id)
    if closed_since is not None:
        include_closed = True
        conditions.append(
            or_(col(FollowUp.status) == FollowUpStatus.OPEN, col(FollowUp.completed_at) >= closed_since)
        )
    elif not include_closed:
        conditions.append(col(FollowUp.status) == FollowUpStatus.OPEN)
    if overdue_only:
        conditions.append(col(FollowUp.due_on) < today)
    if due_within_days is not None:
        days = min(max(due_within_days, 0), MAX_RELATIVE_DAYS)
        conditions.append(col(FollowUp.due_on) <= today + timedelta(days=days))
    # Open ones by due date ride the (status, due_on) index; closed ones, when asked for, come
    # after them: each is one run of a keyset walk, so page 1,000 costs what page 1 does.
    keys = (col(FollowUp.due_on), col(FollowUp.id))
    is_open = col(FollowUp.status) == FollowUpStatus.OPEN
    runs = [Run(is_open, keys, date)] + ([Run(~is_open, keys, date)] if include_closed else [])
    walked = walk(
        session,
        query.where(*conditions),
        runs,
        key_of=lambda r: (r[0].due_on, r[0].id),
        after=after,
        offset=offset,
        limit=limit,
        listing="listing",
    )
    # Only counts by startup need the deal; the rest count follow-ups alone.
    counter = select(col(FollowUp.id))
    if scope is not None or startup_id is not None:
        counter = counter.join(Deal, col(Deal.id) == FollowUp.deal_id)
    counter = counter.where(*conditions)
    total, exact = capped_count(session, counter, col(FollowUp.id))
    overdue, overdue_exact = capped_count(
        session, counter.where(is_open, col(FollowUp.due_on) < today), col(FollowUp.id)
    )
    return FollowUpPage(
        items=[follow_up_view(f, s, i, reader=actor) for _, (f, s, i) in walked.rows],
        total=total,
        overdue=overdue,
        counts_exact=exact and overdue_exact,
        next_after=walked.next_after,
    )
