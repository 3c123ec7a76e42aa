"""The one filter every deal-based query applies: what the actor may see, narrowed by the
event, startup or investor asked for. A startup user's scope is applied whatever else is asked."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from ir_pipeline.actors import Actor
from ir_pipeline.models import Deal, Event, Investor, Pitch, Startup


def visible_deals(
    query: Any,
    actor: Actor,
    *,
    event_id: int | None = None,
    startup_id: int | None = None,
    investor_id: int | None = None,
) -> Any:
    scope = actor.startup_scope
    if scope is not None:
        query = query.where(Deal.startup_id == scope)
    if event_id is not None:
        query = query.where(Deal.event_id == event_id)
    if startup_id is not None:
        query = query.where(Deal.startup_id == startup_id)
    if investor_id is not None:
        query = query.where(Deal.investor_id == investor_id)
    return query


def visible_startups(query: Any, actor: Actor) -> Any:
    """Startups the actor may see or name: a startup user, only its own."""
    scope = actor.startup_scope
    return query if scope is None else query.where(Startup.id == scope)


def visible_investors(query: Any, actor: Actor) -> Any:
    """Investors the actor may see or name: for a startup user, those on its own deals."""
    scope = actor.startup_scope
    if scope is None:
        return query
    return query.where(sa.exists().where(col(Deal.investor_id) == Investor.id, col(Deal.startup_id) == scope))


def visible_events(query: Any, actor: Actor) -> Any:
    """Events the actor may see or name: for a startup user, where it pitched or has a deal."""
    scope = actor.startup_scope
    if scope is None:
        return query
    return query.where(
        sa.exists().where(col(Pitch.event_id) == Event.id, col(Pitch.startup_id) == scope)
        | sa.exists().where(col(Deal.event_id) == Event.id, col(Deal.startup_id) == scope)
    )
