"""Small checks every service needs: who writes, locking the row to change, stale edits."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.clock import format_local
from ir_pipeline.errors import EditConflict, Invalid, NotFound
from ir_pipeline.money import Money, check_storable
from ir_pipeline.text import free_text, one_line

M = TypeVar("M", bound=SQLModel)
__all__ = ["free_text", "lock", "optional_text", "positive", "required_text", "start_write"]


def start_write(session: Session, actor: Actor, action: str) -> None:
    """The first line of every write: only staff change data, and the trail names who did."""
    from ir_pipeline import audit  # writes only: a read never loads the trail's module

    actor.require_staff(action)
    audit.bind(session, actor)


def get_or_raise(session: Session, model: type[M], ident: int, what: str) -> M:
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"no {what} #{ident}")
    return row


def lock(
    session: Session, model: type[M], ident: int, what: str, *, expected_version: int | None = None
) -> M:
    """The row to change, locked for the rest of the transaction and read fresh.

    ``SELECT … FOR UPDATE`` on PostgreSQL (a concurrent writer waits, then sees this change);
    SQLite writers already hold the database's write lock from ``BEGIN IMMEDIATE``. With
    ``expected_version`` (the version the user's view or form was read at) a row that has
    changed since is refused with :class:`EditConflict` naming who changed what, and when.
    """
    row = session.get(model, ident, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"no {what} #{ident}")
    current: int = row.version  # type: ignore[attr-defined]
    if expected_version is not None and current != expected_version:
        raise stale(session, row, what, expected_version)
    return row


_FIELD_NAMES = {"amount_minor": "amount", "amount_max_minor": "upper amount", "due_on": "due date"}
#: Columns that follow from the ones people edit (the rate snapshot): not named as what was changed.
_DERIVED = frozenset({"fx_base", "fx_rate", "fx_day", "fx_source", "converted_minor"})


def stale(session: Session, row: Any, what: str, expected: int) -> EditConflict:
    """The conflict for an edit that started from ``expected`` while the row is newer."""
    from ir_pipeline.models import AuditEntry

    table, ident, current = row.__tablename__, row.id, row.version
    changes = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.table_name == table,
            AuditEntry.record_id == ident,
            col(AuditEntry.version) > expected,
        )
        .order_by(col(AuditEntry.id))
    ).all()
    if changes:
        who = ", ".join(dict.fromkeys(c.actor for c in changes))
        fields = ", ".join(
            dict.fromkeys(
                _FIELD_NAMES.get(c.field, c.field) for c in changes if c.field and c.field not in _DERIVED
            )
        )
        when = format_local(changes[-1].at)
        detail = f"{who} changed {fields or 'it'} at {when}"
    else:
        detail = "it was changed by someone else"
    return EditConflict(
        f"{what} #{ident} changed since you read it (version {expected}, now {current}): {detail}; "
        "reload it and apply your change again"
    )


def required_text(value: str, *, field: str, what: str, max_length: int) -> str:
    return one_line(value, field=field, what=what, max_length=max_length, required=True)


def optional_text(value: str | None, *, field: str, what: str, max_length: int) -> str:
    return one_line(value, field=field, what=what, max_length=max_length)


def positive(amount: Money, *, field: str = "amount") -> Money:
    """An amount to store: more than zero, and no more than its column holds."""
    if amount.amount <= 0:
        raise Invalid(f"the amount must be more than zero, not {amount}", field=field)
    return check_storable(amount, field=field)
