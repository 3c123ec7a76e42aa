"""Writing the audit trail: every ORM change becomes append-only rows in the same transaction.

A service names the acting user once (:func:`bind`, called by ``services.common.start_write``);
a session ``after_flush`` hook then turns each inserted, updated or deleted row into
:class:`AuditEntry` rows (one per changed field for an update) on the flush's own connection,
so the trail commits or rolls back with the change it describes. One mechanism for every table
means no service can forget to audit; bulk paths (imports) write their rows with
:func:`record_inserts`.

That is the trail on SQLite, where the file is the boundary. On PostgreSQL the database writes the
same rows itself, from triggers that no login can bypass (:mod:`ir_pipeline.trail_sql`): nothing
here writes there, and the batch id reaches the triggers as the transaction-local setting
``irp.batch_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.models import AuditAction, AuditEntry, ShareView, StageChange
from ir_pipeline.models.base import table_of

_ACTOR = "irp_audit_actor"
_BATCH = "irp_audit_batch"
#: Bookkeeping columns: they change with every edit and say nothing the other rows do not.
_QUIET = frozenset({"version", "updated_at", "created_at"})
#: Rows that are their own history (stage changes) or the history itself are not audited again.
_SKIPPED: tuple[type[Any], ...] = (AuditEntry, StageChange, ShareView)  # logs of their own


#: The transaction-local setting the PostgreSQL trail reads its batch id from.
BATCH_SETTING = "irp.batch_id"


def database_writes_trail(connection: sa.Connection) -> bool:
    """Whether the database itself writes the trail (PostgreSQL), so the application must not."""
    return connection.dialect.name == "postgresql"


def bind(session: OrmSession, actor: Actor, *, batch_id: str | None = None) -> None:
    """Name who is changing things in this session (and, for imports, the batch)."""
    session.info[_ACTOR] = actor.name
    if batch_id is not None:
        session.info[_BATCH] = batch_id
        set_database_batch(session.connection(), batch_id)


def set_database_batch(connection: sa.Connection, batch_id: str | None) -> None:
    """Tell the PostgreSQL trail which batch this transaction's next changes belong to."""
    if database_writes_trail(connection):
        connection.execute(sa.select(sa.func.set_config(BATCH_SETTING, batch_id or "", True)))


@contextmanager
def database_batch(session: OrmSession, batch_id: str) -> Iterator[None]:
    """Changes made inside the block belong to ``batch_id`` (a rate snapshot pass), then the
    session's own batch again."""
    connection = session.connection()
    set_database_batch(connection, batch_id)
    try:
        yield
    finally:
        set_database_batch(connection, batch_of(session))


def actor_of(session: OrmSession) -> str | None:
    """Who :func:`bind` named as changing things in this session."""
    value = session.info.get(_ACTOR)
    return value if isinstance(value, str) else None


def batch_of(session: OrmSession) -> str | None:
    value = session.info.get(_BATCH)
    return value if isinstance(value, str) else None


def audit_table() -> sa.Table:
    return table_of(AuditEntry)


def as_text(value: Any) -> str | None:
    """How a value is kept in the trail: the stored form, readable, never a Python repr."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _deal_of(obj: Any) -> int | None:
    if getattr(obj, "__tablename__", None) == "deal":
        return obj.id  # type: ignore[no-any-return]
    return getattr(obj, "deal_id", None)


def _entry(session: OrmSession, obj: Any, action: AuditAction, **values: Any) -> dict[str, Any]:
    actor = session.info.get(_ACTOR)
    if not actor:
        raise RuntimeError(
            f"a change to {obj.__tablename__} was flushed without an acting user: "
            "services must call services.common.start_write first"
        )
    return {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "table_name": obj.__tablename__,
        "record_id": obj.id,
        "deal_id": _deal_of(obj),
        "version": getattr(obj, "version", None),
        "batch_id": batch_of(session),
        "field": None,
        "old_value": None,
        "new_value": None,
        **values,
    }


def _updates(session: OrmSession, obj: Any) -> Iterable[dict[str, Any]]:
    from ir_pipeline.trail_sql import AUDITED  # the columns PostgreSQL's trail leaves out, too

    how = AUDITED.get(obj.__tablename__)
    quiet = _QUIET.union(how.skipped) if how is not None else _QUIET
    state = sa.inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in quiet:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if as_text(old) == as_text(new):
            continue
        yield _entry(
            session, obj, AuditAction.UPDATE, field=attr.key, old_value=as_text(old), new_value=as_text(new)
        )


def write_trail(session: OrmSession) -> None:
    """After a flush (see :mod:`ir_pipeline.session_hooks`): one trail row per changed field,
    unless the database writes the trail itself."""
    if database_writes_trail(session.connection()):
        return
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if not isinstance(obj, _SKIPPED):
            rows.append(_entry(session, obj, AuditAction.INSERT))
    for obj in session.dirty:
        if not isinstance(obj, _SKIPPED) and session.is_modified(obj, include_collections=False):
            rows.extend(_updates(session, obj))
    for obj in session.deleted:
        if not isinstance(obj, _SKIPPED):
            rows.append(_entry(session, obj, AuditAction.DELETE))
    if rows:
        session.connection().execute(audit_table().insert(), rows)


def record_inserts(
    connection: sa.Connection,
    *,
    actor: str,
    table: sa.Table,
    after_id: int,
    batch_id: str | None,
    deal_column: str | None = None,
) -> None:
    """One ``insert`` row per row of ``table`` with an id above ``after_id``, in one statement.

    For bulk writes that bypass the ORM (imports): the rows are selected by the database
    itself, so auditing 100k imported LOIs costs one ``INSERT … SELECT``. (On PostgreSQL the
    database's own trigger has written them already.)
    """
    if database_writes_trail(connection):
        return
    deal = table.c[deal_column] if deal_column else (table.c.id if table.name == "deal" else sa.null())
    version = table.c.version if "version" in table.c else sa.null()
    source = sa.select(
        sa.literal(utcnow(), AuditEntry.__table__.c.at.type),  # type: ignore[attr-defined]
        sa.literal(actor),
        sa.literal(AuditAction.INSERT.value),
        sa.literal(table.name),
        table.c.id,
        deal,
        version,
        sa.literal(batch_id, sa.String),
    ).where(table.c.id > after_id)
    audit = audit_table()
    connection.execute(
        audit.insert().from_select(
            ["at", "actor", "action", "table_name", "record_id", "deal_id", "version", "batch_id"], source
        )
    )


def record_bulk(
    connection: sa.Connection, *, actor: str, action: AuditAction, table_name: str, note: str
) -> None:
    """One row for an action on many rows at once (an erase, a restore)."""
    connection.execute(
        audit_table().insert(),
        [
            {
                "at": utcnow(),
                "actor": actor,
                "action": action,
                "table_name": table_name,
                "new_value": note,
            }
        ],
    )
