"""Who is acting, and what that role may see and change.

On a single-user SQLite file the file's permissions are the boundary, and a role picks a view:
the person at the terminal is staff and may look as a manager or a startup. On a shared
PostgreSQL database the actor is the database login, and the database enforces the same rights
(see :mod:`ir_pipeline.rights`). Either way nothing here ever raises a user's rights.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir_pipeline.enums import Role
from ir_pipeline.errors import Forbidden

#: The user a single-user database acts as by default (``--as``/``IRP_USER`` choose another).
DEFAULT_USER = "staff"


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role
    startup_id: int | None = None
    user_id: int | None = None
    #: The database's owner or a superuser on PostgreSQL: manages users and the schema.
    admin: bool = False

    @classmethod
    def single_user(cls) -> Actor:
        """Who works on a single-user (SQLite) database when nobody is named: the ``staff`` user,
        so the history always shows a user of irp, never an OS login such as ``root``."""
        return cls(name=DEFAULT_USER, role=Role.STAFF)

    @property
    def rank(self) -> int:
        """Staff outrank managers, who outrank startups: a switch may only go down."""
        return {Role.STAFF: 3, Role.MANAGER: 2, Role.STARTUP: 1}[self.role]

    @property
    def can_edit(self) -> bool:
        return self.role is Role.STAFF

    @property
    def startup_scope(self) -> int | None:
        """The only startup this actor may see, or ``None`` for everything."""
        return self.startup_id if self.role is Role.STARTUP else None

    @property
    def reads_internal(self) -> bool:
        """Staff and managers read staff's internal notes; a startup only what staff shared with it
        (the one rule: :mod:`ir_pipeline.queries.hidden` and :func:`present.note_for` apply it)."""
        return self.role is not Role.STARTUP

    def require_staff(self, action: str) -> None:
        if not self.can_edit:
            raise Forbidden(f"{self.name} ({self.role.value}) cannot {action}: only staff edit the pipeline")

    def require_startup_visible(self, startup_id: int, what: str = "that record") -> None:
        scope = self.startup_scope
        if scope is not None and scope != startup_id:
            # Same words as a missing record: do not confirm that other startups' data exists.
            from ir_pipeline.errors import NotFound

            raise NotFound(f"no {what} visible to {self.name}")


def may_switch(login: Actor, current: Actor, target: Actor) -> bool:
    """Whether someone who started as ``login`` and now acts as ``current`` may act as ``target``.

    Going back to the login's own identity is always allowed; otherwise only to a lower role
    (staff → manager or startup, manager → startup, startup → nothing), so no switch raises rights.
    """
    if target.name == login.name and target.role is login.role:
        return True
    return target.rank < current.rank


def require_switch(login: Actor, current: Actor, target: Actor) -> None:
    if not may_switch(login, current, target):
        raise Forbidden(
            f"{current.name} ({current.role.value}) cannot act as {target.name} ({target.role.value}):"
            " a switch never raises rights"
        )
