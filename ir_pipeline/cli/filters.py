"""Turning ``--event/--startup/--investor NAME`` options into ids, inside the command's session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ir_pipeline.lookup import resolve_event, resolve_investor, resolve_startup


@dataclass(frozen=True, slots=True)
class ResolvedNames:
    event_id: int | None
    startup_id: int | None
    investor_id: int | None


def resolve_names(
    session: Session, *, event: str | None = None, startup: str | None = None, investor: str | None = None
) -> ResolvedNames:
    return ResolvedNames(
        event_id=resolve_event(session, event).id if event else None,
        startup_id=resolve_startup(session, startup).id if startup else None,
        investor_id=resolve_investor(session, investor).id if investor else None,
    )
