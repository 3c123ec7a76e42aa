"""Users and the actor a command or screen runs as."""

from __future__ import annotations

from sqlmodel import Session, select

from ir_pipeline.actors import Actor
from ir_pipeline.enums import Role
from ir_pipeline.errors import Conflict, Invalid, NotFound
from ir_pipeline.models import Startup, User
from ir_pipeline.models.base import SHORT_LENGTH
from ir_pipeline.services.common import get_or_raise, required_text
from ir_pipeline.views import UserView


def create_user(
    session: Session, *, actor: Actor, name: str, role: Role, startup_id: int | None = None
) -> UserView:
    actor.require_staff("create users")
    name = required_text(name, field="name", what="the user name", max_length=SHORT_LENGTH)
    if role is Role.STARTUP and startup_id is None:
        raise Invalid("a startup user needs the startup it belongs to", field="startup")
    if role is not Role.STARTUP and startup_id is not None:
        raise Invalid(f"a {role.value} user belongs to no startup", field="startup")
    startup = get_or_raise(session, Startup, startup_id, "startup") if startup_id is not None else None
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise Conflict(f"a user named {name!r} already exists", field="name")
    user = User(name=name, role=role, startup_id=startup_id)
    session.add(user)
    session.flush()
    assert user.id is not None
    return UserView(user.id, user.name, user.role, user.startup_id, startup.name if startup else None)


def actor_for(session: Session, name: str) -> Actor:
    """The actor for a named user, or :class:`NotFound` listing who exists."""
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None:
        known = session.exec(select(User.name).order_by(User.name).limit(12)).all()
        hint = f"; users: {', '.join(known)}" if known else "; there are no users yet (try `irp demo`)"
        raise NotFound(f"no user named {name!r}{hint}")
    return Actor(name=user.name, role=user.role, startup_id=user.startup_id, user_id=user.id)
