"""Listings of events, startups, investors, contacts and users, scoped by role."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.errors import NotFound
from ir_pipeline.models import Contact, Deal, Event, Investor, Startup, User
from ir_pipeline.naming import name_key
from ir_pipeline.present import (
    INVESTOR_VIEW_COLUMNS,
    STARTUP_VIEW_COLUMNS,
    contact_view,
    event_view,
    investor_view,
    startup_view,
)
from ir_pipeline.queries.scope import visible_events, visible_investors, visible_startups
from ir_pipeline.text import like_pattern
from ir_pipeline.views import ContactView, EventView, InvestorView, StartupView, UserView


def list_events(
    session: Session, *, actor: Actor, limit: int = 500, offset: int = 0, recorded_order: bool = False
) -> list[EventView]:
    """Events, newest first; ``recorded_order``: in the order they were recorded (an export's,
    so that an import numbers them as here)."""
    query = visible_events(select(Event), actor)
    order = (col(Event.id),) if recorded_order else (col(Event.starts_on).desc(), col(Event.id))
    rows = session.exec(query.order_by(*order).offset(offset).limit(limit))
    return [event_view(e) for e in rows]


def list_startups(
    session: Session,
    *,
    actor: Actor,
    search: str = "",
    limit: int = 500,
    offset: int = 0,
    recorded_order: bool = False,
) -> list[StartupView]:
    """Startups by name; ``recorded_order``: by id, as an export lists them."""
    query = visible_startups(sa.select(*(getattr(Startup, c) for c in STARTUP_VIEW_COLUMNS)), actor)
    if search.strip():
        query = query.where(col(Startup.name_key).like(like_pattern(name_key(search)), escape="\\"))
    order = col(Startup.id) if recorded_order else col(Startup.name)
    rows = session.execute(query.order_by(order).offset(offset).limit(limit)).all()
    return [startup_view(s) for s in rows]


def get_startup(session: Session, *, actor: Actor, startup_id: int) -> StartupView:
    """One startup, if this actor may see it (a startup user sees only its own)."""
    actor.require_startup_visible(startup_id, "startup")
    startup = session.get(Startup, startup_id)
    if startup is None:
        raise NotFound(f"no startup #{startup_id}")
    return startup_view(startup)


def list_investors(
    session: Session,
    *,
    actor: Actor,
    search: str = "",
    limit: int = 500,
    offset: int = 0,
    recorded_order: bool = False,
) -> list[InvestorView]:
    """Investors by name; ``recorded_order``: by id, as an export lists them."""
    query = visible_investors(sa.select(*(getattr(Investor, c) for c in INVESTOR_VIEW_COLUMNS)), actor)
    if search.strip():
        query = query.where(col(Investor.name_key).like(like_pattern(name_key(search)), escape="\\"))
    order = col(Investor.id) if recorded_order else col(Investor.name)
    rows = session.execute(query.order_by(order).offset(offset).limit(limit)).all()
    return [investor_view(i) for i in rows]


def list_contacts(session: Session, *, actor: Actor, limit: int = 500, offset: int = 0) -> list[ContactView]:
    query = (
        select(Contact, Startup.name, Investor.name)
        .outerjoin(Startup, col(Startup.id) == Contact.startup_id)
        .outerjoin(Investor, col(Investor.id) == Contact.investor_id)
    )
    scope = actor.startup_scope
    if scope is not None:
        query = query.where(Contact.startup_id == scope)
    rows = session.exec(query.order_by(col(Contact.name)).offset(offset).limit(limit))
    return [contact_view(c, s or i or "") for c, s, i in rows]


def list_users(session: Session, *, actor: Actor) -> list[UserView]:
    query = select(User, Startup.name).outerjoin(Startup, col(Startup.id) == User.startup_id)
    if actor.startup_scope is not None:
        query = query.where(User.startup_id == actor.startup_scope)
    rows = session.exec(query.order_by(User.role, col(User.name)))
    return [
        UserView(u.id or 0, u.name, u.role, u.startup_id, s, active=u.active, version=u.version)
        for u, s in rows
    ]


def has_data(session: Session) -> bool:
    """Whether the database holds pipeline data anyone entered (guards ``irp demo``). Users alone
    are not: a team database is set up with its people before anything else."""
    for model in (Event, Startup, Investor, Deal):
        if session.exec(select(sa.literal(1)).select_from(model).limit(1)).first() is not None:
            return True
    return False
