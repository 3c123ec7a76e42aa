"""LOI listings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.errors import NotFound
from ir_pipeline.models import Deal, Event, Investor, LetterOfIntent, Startup
from ir_pipeline.present import loi_view
from ir_pipeline.queries.keyset import Run, walk
from ir_pipeline.queries.scope import visible_deals
from ir_pipeline.views import LoiView


def _with_names() -> Any:
    """LOIs joined to the names people read beside them (event optional)."""
    return (
        select(LetterOfIntent, Startup.name, Investor.name, Event.name)
        .join(Deal, col(Deal.id) == LetterOfIntent.deal_id)
        .join(Startup, col(Startup.id) == Deal.startup_id)
        .join(Investor, col(Investor.id) == Deal.investor_id)
        .outerjoin(Event, col(Event.id) == Deal.event_id)
    )


@dataclass(frozen=True, slots=True)
class LoiPage:
    rows: list[LoiView]
    #: Where the next page starts (``loi_page(after=...)``); ``None`` on the last page.
    next_after: str | None


def loi_page(
    session: Session,
    *,
    actor: Actor,
    deal_id: int | None = None,
    startup_id: int | None = None,
    investor_id: int | None = None,
    event_id: int | None = None,
    after: str | None = None,
    offset: int = 0,
    limit: int = 500,
    oldest_first: bool = False,
) -> LoiPage:
    """LOIs newest first (or oldest first, for exports), with names, paged in SQL.

    ``after`` is the previous page's ``next_after``: the next page is read through the
    (received_on, id) index at the same cost however far down it is.
    """
    query = visible_deals(
        _with_names(), actor, event_id=event_id, startup_id=startup_id, investor_id=investor_id
    )
    if deal_id is not None:
        query = query.where(LetterOfIntent.deal_id == deal_id)
    walked = walk(
        session,
        query,
        [Run(sa.true(), (col(LetterOfIntent.received_on), col(LetterOfIntent.id)), date)],
        key_of=lambda r: (r[0].received_on, r[0].id),
        after=after,
        offset=offset,
        limit=limit,
        descending=not oldest_first,
    )
    return LoiPage([loi_view(loi, s, i, e) for _, (loi, s, i, e) in walked.rows], walked.next_after)


def get_loi(session: Session, *, actor: Actor, loi_id: int) -> LoiView:
    """One LOI with its names and version, if the actor may see its deal."""
    query = _with_names().where(LetterOfIntent.id == loi_id)
    row = session.exec(visible_deals(query, actor)).first()
    if row is None:
        raise NotFound(f"no LOI #{loi_id}")
    loi, s, i, e = row
    return loi_view(loi, s, i, e)
