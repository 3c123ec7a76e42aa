"""Reading the audit trail: newest first, filtered by deal, user and date, paged by id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.errors import Forbidden
from ir_pipeline.models import AuditAction, AuditEntry


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: datetime
    actor: str
    action: AuditAction
    table: str
    record_id: int | None
    deal_id: int | None
    field: str | None
    old_value: str | None
    new_value: str | None
    version: int | None
    batch_id: str | None


def list_audit(
    session: Session,
    *,
    actor: Actor,
    deal_id: int | None = None,
    user: str | None = None,
    since: date | None = None,
    before_id: int | None = None,
    limit: int = 200,
) -> list[AuditView]:
    """Audit rows, newest first; ``before_id`` continues a page (keyset, stable while rows arrive).

    The trail is for staff and managers: a startup user sees its deals' stage history instead.
    """
    if actor.startup_scope is not None:
        raise Forbidden(f"{actor.name} ({actor.role.value}) cannot read the audit trail")
    query = select(AuditEntry)
    if deal_id is not None:
        query = query.where(AuditEntry.deal_id == deal_id)
    if user:
        query = query.where(AuditEntry.actor == user)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= datetime.combine(since, time.min).astimezone())
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    rows = session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit)).all()
    return [
        AuditView(
            id=r.id or 0,
            at=r.at,
            actor=r.actor,
            action=r.action,
            table=r.table_name,
            record_id=r.record_id,
            deal_id=r.deal_id,
            field=r.field,
            old_value=r.old_value,
            new_value=r.new_value,
            version=r.version,
            batch_id=r.batch_id,
        )
        for r in rows
    ]
