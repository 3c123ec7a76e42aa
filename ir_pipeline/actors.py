"""Who is acting, and what that role may see and change.

Roles decide views, not security: ir-pipeline is a local tool whose database anyone with the file
can read. The rules still matter, because a startup user must never be *shown* another startup's
data, and only staff may change the pipeline.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from ir_pipeline.enums import Role
from ir_pipeline.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role
    startup_id: int | None = None
    user_id: int | None = None

    @classmethod
    def local_operator(cls) -> Actor:
        """The person at this terminal when no user is named: staff, as in a spreadsheet."""
        try:
            name = getpass.getuser()
        except Exception:  # pragma: no cover - no login name in some containers
            name = "operator"
        return cls(name=name, role=Role.STAFF)

    @property
    def can_edit(self) -> bool:
        return self.role is Role.STAFF

    @property
    def startup_scope(self) -> int | None:
        """The only startup this actor may see, or ``None`` for everything."""
        return self.startup_id if self.role is Role.STARTUP else None

    def require_staff(self, action: str) -> None:
        if not self.can_edit:
            raise Forbidden(f"{self.name} ({self.role.value}) cannot {action}: only staff edit the pipeline")

    def require_startup_visible(self, startup_id: int, what: str = "that record") -> None:
        scope = self.startup_scope
        if scope is not None and scope != startup_id:
            # Same words as a missing record: do not confirm that other startups' data exists.
            from ir_pipeline.errors import NotFound

            raise NotFound(f"no {what} visible to {self.name}")
