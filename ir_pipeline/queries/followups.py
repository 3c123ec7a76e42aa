"""The follow-up queue: overdue first, then today, then upcoming."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.dates import MAX_RELATIVE_DAYS
from ir_pipeline.enums import FollowUpStatus
from ir_pipeline.models import Deal, FollowUp, Investor, Startup
from ir_pipeline.present import follow_up_view
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


def follow_up_queue(
    session: Session,
    *,
    actor: Actor,
    today: date,
    overdue_only: bool = False,
    due_within_days: int | None = None,
    include_closed: bool = False,
    deal_id: int | None = None,
    startup_id: int | None = None,
    offset: int = 0,
    limit: int = 200,
) -> FollowUpPage:
    """Open follow-ups by due date (so overdue come first), paged in SQL."""
    query = (
        select(FollowUp, Startup.name, Investor.name)
        .join(Deal, col(Deal.id) == FollowUp.deal_id)
        .join(Startup, col(Startup.id) == Deal.startup_id)
        .join(Investor, col(Investor.id) == Deal.investor_id)
    )
    counter = select(sa.func.count()).select_from(FollowUp)
    conditions: list[Any] = []
    scope = actor.startup_scope
    if scope is not None or startup_id is not None:
        # Only counts by startup need the deal; the rest count follow-ups alone.
        counter = counter.join(Deal, col(Deal.id) == FollowUp.deal_id)
    if scope is not None:
        conditions.append(col(Deal.startup_id) == scope)
    if startup_id is not None:
        conditions.append(col(Deal.startup_id) == startup_id)
    if deal_id is not None:
        conditions.append(col(FollowUp.deal_id) == deal_id)
    if not include_closed:
        conditions.append(col(FollowUp.status) == FollowUpStatus.OPEN)
    if overdue_only:
        conditions.append(col(FollowUp.due_on) < today)
    if due_within_days is not None:
        days = min(max(due_within_days, 0), MAX_RELATIVE_DAYS)
        conditions.append(col(FollowUp.due_on) <= today + timedelta(days=days))
    # Open ones by due date ride the (status, due_on) index; closed ones, when asked for, go last.
    order: list[Any] = [col(FollowUp.due_on), col(FollowUp.id)]
    if include_closed:
        order.insert(0, sa.case((col(FollowUp.status) == FollowUpStatus.OPEN, 0), else_=1))
    rows = session.exec(query.where(*conditions).order_by(*order).offset(offset).limit(limit)).all()
    total = session.exec(counter.where(*conditions)).one()
    overdue = session.exec(
        counter.where(*conditions, col(FollowUp.status) == FollowUpStatus.OPEN, col(FollowUp.due_on) < today)
    ).one()
    return FollowUpPage(
        items=[follow_up_view(f, s, i) for f, s, i in rows], total=int(total), overdue=int(overdue)
    )
