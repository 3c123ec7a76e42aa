"""Keeping the totals exact at every commit, whatever writes the rows.

Every ORM flush that adds, changes or removes a deal, LOI, funding or stage move is watched: the
deals it touches have their contribution read from the database before the flush and again after
it, and the difference is added to the totals in the same transaction. The rule for what a deal
contributes lives in :mod:`~ir_pipeline.summaries.contributions` alone; services need no code
for it, and a savepoint rolled back takes its share of the totals with it.

Bulk writes that bypass the ORM (the importer) use :func:`track_deals` and
:func:`add_new_deals` around their statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import SQLModel

from ir_pipeline.models import Deal, Funding, LetterOfIntent, StageChange
from ir_pipeline.summaries import store
from ir_pipeline.summaries.contributions import difference, totals_for_ids, totals_for_range

_PENDING = "irp_summary_pending"
_DEAL_FIELDS = ("stage", "event_id", "startup_id", "investor_id")


def _touched(session: OrmSession) -> tuple[set[int], list[Deal]]:
    ids: set[int] = set()
    new_deals: list[Deal] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, LetterOfIntent | Funding | StageChange):
            ids.add(obj.deal_id)
            old = sa.inspect(obj).attrs.deal_id.history.deleted
            ids.update(d for d in old if d is not None)
        elif isinstance(obj, Deal):
            if obj.id is None:
                new_deals.append(obj)
                continue
            state = sa.inspect(obj)
            if obj in session.deleted or any(state.attrs[f].history.has_changes() for f in _DEAL_FIELDS):
                ids.add(obj.id)
    return ids, new_deals


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _flush: UOWTransaction, _instances: Any) -> None:
    ids, new_deals = _touched(session)
    if not ids and not new_deals:
        return
    connection = session.connection()
    store.take_turn(connection)
    session.info[_PENDING] = (ids, new_deals, totals_for_ids(connection, ids, SQLModel.metadata))


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    ids, new_deals, before = pending
    ids = ids | {d.id for d in new_deals if d.id is not None}
    connection = session.connection()
    store.add(connection, difference(totals_for_ids(connection, ids, SQLModel.metadata), before))


@contextmanager
def track_deals(connection: sa.Connection, ids: Iterable[int]) -> Iterator[None]:
    """Around Core statements that change existing deals ``ids`` (or their LOIs, fundings, moves)."""
    wanted = set(ids)
    store.take_turn(connection)
    before = totals_for_ids(connection, wanted, SQLModel.metadata)
    yield
    store.add(connection, difference(totals_for_ids(connection, wanted, SQLModel.metadata), before))


def add_new_deals(connection: sa.Connection, *, after_id: int) -> None:
    """Count the deals inserted by Core statements, all with ids above ``after_id``, with what
    hangs off them; call once, after they and their LOIs are written."""
    store.take_turn(connection)
    store.add(connection, totals_for_range(connection, SQLModel.metadata, after_id=after_id))
