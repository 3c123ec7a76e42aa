"""LOI listings."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.models import Deal, Event, Investor, LetterOfIntent, Startup
from ir_pipeline.present import loi_view
from ir_pipeline.queries.cursor import Cursor
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


def list_lois(
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
) -> list[LoiView]:
    """LOIs newest first (or oldest first, for exports), with names, paged in SQL.

    ``after`` is :func:`next_loi_cursor` of the previous page: the next page is read through the
    (received_on, id) index at the same cost however far down it is.
    """
    query = visible_deals(
        _with_names(), actor, event_id=event_id, startup_id=startup_id, investor_id=investor_id
    )
    if deal_id is not None:
        query = query.where(LetterOfIntent.deal_id == deal_id)
    keys = (col(LetterOfIntent.received_on), col(LetterOfIntent.id))
    if after:
        cursor = Cursor.decode(after)
        if cursor.part != 0 or type(cursor.value) is not date:
            raise Invalid("that cursor belongs to another listing", field="after")
        row, mark = sa.tuple_(*keys), sa.tuple_(sa.literal(cursor.value, sa.Date()), sa.literal(cursor.id))
        query = query.where(row > mark if oldest_first else row < mark)
    order = keys if oldest_first else tuple(k.desc() for k in keys)
    rows = session.exec(query.order_by(*order).offset(0 if after else offset).limit(limit)).all()
    return [loi_view(loi, s, i, e) for loi, s, i, e in rows]


def next_loi_cursor(page: list[LoiView], limit: int) -> str | None:
    """Where the page after ``page`` starts (``None`` when it was the last, shorter page)."""
    if len(page) < limit or not page:
        return None
    return Cursor(0, page[-1].received_on, page[-1].id).encode()


def get_loi(session: Session, *, actor: Actor, loi_id: int) -> LoiView:
    """One LOI with its names and version, if the actor may see its deal."""
    query = _with_names().where(LetterOfIntent.id == loi_id)
    row = session.exec(visible_deals(query, actor)).first()
    if row is None:
        raise NotFound(f"no LOI #{loi_id}")
    loi, s, i, e = row
    return loi_view(loi, s, i, e)
