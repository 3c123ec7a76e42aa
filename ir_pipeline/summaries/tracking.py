"""Keeping the totals exact at every commit, whatever writes the rows.

Every ORM flush that adds, changes or removes a deal, LOI, funding or stage move marks the deals
it touches. The first time a transaction touches a deal, that deal's contribution is read from
the database (its state before this transaction changed it); at commit, the touched deals'
contributions are read again and the difference is added to the totals, in the same transaction.
The rule for what a deal contributes lives in :mod:`~ir_pipeline.summaries.contributions` alone;
services need no code for it. A savepoint rolled back leaves nothing behind: the "before" was
read before any change, and the "after" is read from what is really there at commit.

The first touch also takes the summary writers' turn (:func:`store.take_turn`) until commit, so
on PostgreSQL no other transaction changes those deals in between, and nobody deadlocks.

The deals' kept columns (last LOI, next follow-up) are refreshed at every flush instead, so a
pipeline row read later in the same transaction is already right.

Bulk writes that bypass the ORM (the importer) call :func:`touch` before changing existing
deals, :func:`opened` with the facts of the deals they insert (reading back a hundred thousand
deals they have just written would cost more than writing them), and :func:`refresh_columns`
after changing existing ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import SQLModel

from ir_pipeline.models import Deal, FollowUp, Funding, LetterOfIntent, StageChange
from ir_pipeline.summaries import deal_columns, store
from ir_pipeline.summaries.contributions import (
    DealFacts,
    Totals,
    add_deal,
    chunks,
    deal_facts,
    difference,
    totals_for_ids,
)

_KEY = "irp_summary_tracking"
_FLUSH = "irp_summary_flush"
_DEAL_FIELDS = ("stage", "event_id", "startup_id", "investor_id", "reached", "lost_from")


@dataclass
class _Pending:
    """What one transaction has touched, and what those deals contributed before it."""

    before: Totals = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    #: What the deals opened by bulk inserts contribute, as they were opened.
    opened: Totals = field(default_factory=dict)
    turn_taken: bool = False

    def take_turn(self, connection: sa.Connection) -> None:
        if not self.turn_taken:
            store.take_turn(connection)
            self.turn_taken = True


def _pending(session: OrmSession) -> _Pending:
    pending = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = _Pending()
    return pending


def touch(session: OrmSession, ids: Iterable[int]) -> None:
    """Note the deals about to change: their contribution is read now, the first time only."""
    pending = _pending(session)
    fresh = {i for i in ids if i not in pending.seen}
    if not fresh and pending.turn_taken:
        return
    connection = session.connection()
    pending.take_turn(connection)
    if fresh:
        for f in _facts(connection, fresh):
            add_deal(pending.before, f)
        pending.seen |= fresh


def _facts(connection: sa.Connection, ids: set[int]) -> Iterable[DealFacts]:
    for batch in chunks(ids):
        yield from deal_facts(connection, {"ids": batch}).values()


def opened(session: OrmSession, totals: Totals) -> None:
    """Count deals just inserted by statements that bypass the ORM: ``totals`` is what they
    contribute as inserted (:func:`contributions.add_deal` of each; before this transaction they
    contributed nothing). Call it once their rows are final for this savepoint: a deal touched
    afterwards is read as it then is, like any other, so later changes count the usual way."""
    pending = _pending(session)
    pending.take_turn(session.connection())
    for key, cell in totals.items():
        mine = pending.opened.setdefault(key, [0, 0, 0])
        mine[0] += cell[0]
        mine[1] += cell[1]
        mine[2] += cell[2]


def refresh_columns(session: OrmSession, *, ids: Iterable[int] = (), after_id: int | None = None) -> None:
    """Bring the kept columns of deals changed by statements that bypass the ORM up to date."""
    connection = session.connection()
    deal_columns.refresh_ids(connection, SQLModel.metadata, ids)
    if after_id is not None:
        deal_columns.refresh(connection, SQLModel.metadata, lambda column: column > after_id)


def _touched(session: OrmSession) -> tuple[set[int], list[Deal], set[int]]:
    """The deals whose totals may change, the new deals, and the deals whose follow-ups did."""
    ids: set[int] = set()
    new_deals: list[Deal] = []
    follow_ups: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, FollowUp):
            follow_ups.add(obj.deal_id)
        elif isinstance(obj, LetterOfIntent | Funding | StageChange):
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
    return ids, new_deals, follow_ups


def before_flush(session: OrmSession) -> None:
    """Before a flush (see :mod:`ir_pipeline.session_hooks`): note the deals it changes."""
    ids, new_deals, follow_ups = _touched(session)
    if not ids and not new_deals and not follow_ups:
        return
    if ids or new_deals:
        touch(session, ids)
    session.info[_FLUSH] = (ids, new_deals, follow_ups)


def after_flush(session: OrmSession) -> None:
    """After a flush: the flushed deals' kept columns again."""
    flushed = session.info.pop(_FLUSH, None)
    if flushed is None:
        return
    ids, new_deals, follow_ups = flushed
    created = {d.id for d in new_deals if d.id is not None}
    _pending(session).seen |= created  # nothing before: they did not exist
    deal_columns.refresh_ids(session.connection(), SQLModel.metadata, ids | follow_ups | created)


def before_commit(session: OrmSession) -> None:
    """At the commit: add what the transaction changed to the running totals."""
    pending = session.info.get(_KEY)
    if pending is None:
        return
    session.flush()  # what is still pending must be counted too
    connection = session.connection()
    after = totals_for_ids(connection, pending.seen)
    for key, cell in pending.opened.items():
        mine = after.setdefault(key, [0, 0, 0])
        mine[0] += cell[0]
        mine[1] += cell[1]
        mine[2] += cell[2]
    store.add(connection, difference(after, pending.before))
    session.info.pop(_KEY, None)


def forget(session: OrmSession, transaction: SessionTransaction) -> None:
    """When the whole transaction ends, committed or rolled back: nothing is pending any more."""
    if transaction.parent is None:  # the whole transaction ended: committed or rolled back
        session.info.pop(_KEY, None)
        session.info.pop(_FLUSH, None)
