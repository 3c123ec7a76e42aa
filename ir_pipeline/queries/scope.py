"""The one filter every deal-based query applies: what the actor may see, narrowed by the
event, startup or investor asked for. A startup user's scope is applied whatever else is asked."""

from __future__ import annotations

from typing import Any

from ir_pipeline.actors import Actor
from ir_pipeline.models import Deal


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
