"""Reading the outbox: the notices written so far, newest first, a page at a time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.errors import Forbidden
from ir_pipeline.models import OutboxEvent


@dataclass(frozen=True, slots=True)
class NoticeView:
    id: int
    event_id: str
    type: str
    created_at: datetime
    actor: str
    deal_id: int | None
    summary: str
    payload: dict[str, Any]


def list_notices(
    session: Session,
    *,
    actor: Actor,
    type: str | None = None,
    deal_id: int | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[NoticeView]:
    """Notices, newest first; ``before_id`` continues a page (keyset, stable while more arrive).

    For staff and managers: a notice names both sides of a deal, and an import's names a file of
    many companies, so a startup user reads its own deals instead.
    """
    if actor.startup_scope is not None:
        raise Forbidden(f"{actor.name} ({actor.role.value}) cannot read the team's notices")
    query = select(OutboxEvent)
    if type:
        query = query.where(OutboxEvent.type == type)
    if deal_id is not None:
        query = query.where(OutboxEvent.deal_id == deal_id)
    if before_id is not None:
        query = query.where(col(OutboxEvent.id) < before_id)
    rows = session.exec(query.order_by(col(OutboxEvent.id).desc()).limit(limit)).all()
    out = []
    for r in rows:
        payload = json.loads(r.payload)
        out.append(
            NoticeView(
                id=r.id or 0,
                event_id=r.event_id,
                type=r.type,
                created_at=r.created_at,
                actor=r.actor,
                deal_id=r.deal_id,
                summary=str(payload.get("summary", "")),
                payload=payload,
            )
        )
    return out
