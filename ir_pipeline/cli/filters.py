"""Turning ``--event/--startup/--investor NAME`` options into ids, inside the command's session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.lookup import resolve_event, resolve_investor, resolve_startup


@dataclass(frozen=True, slots=True)
class ResolvedNames:
    event_id: int | None
    startup_id: int | None
    investor_id: int | None


def resolve_names(
    session: Session,
    *,
    actor: Actor,
    event: str | None = None,
    startup: str | None = None,
    investor: str | None = None,
) -> ResolvedNames:
    """Names as typed → ids, searching only what ``actor`` may see."""
    return ResolvedNames(
        event_id=resolve_event(session, event, actor=actor).id if event else None,
        startup_id=resolve_startup(session, startup, actor=actor).id if startup else None,
        investor_id=resolve_investor(session, investor, actor=actor).id if investor else None,
    )
