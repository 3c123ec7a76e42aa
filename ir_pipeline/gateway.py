"""The UI's way into the core: each call is one unit of work as the current actor.

The TUI holds a :class:`Backend`, never a session or an engine method: ``backend.write(fn, ...)``
runs a service in its own transaction, ``backend.read(fn, ...)`` a query in a read snapshot.
Both return plain views, safe to keep in widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ir_pipeline.actors import Actor, may_switch, require_switch
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.errors import Forbidden
from ir_pipeline.services.database_date import follow
from ir_pipeline.services.users import actor_for
from ir_pipeline.views import UserView

if TYPE_CHECKING:
    from ir_pipeline.demo import DemoSummary
    from ir_pipeline.fx.service import StoreReport
    from ir_pipeline.notify.delivery import PassReport

P = ParamSpec("P")
R = TypeVar("R")


class Backend:
    def __init__(self, engine: Engine, actor: Actor | None = None) -> None:
        self._engine = engine
        #: The database's own date (the demo's), today for everything the UI shows and records.
        self.as_of = follow(engine)
        self.actor = actor or Actor.single_user()
        #: Who the session started as: switching may go back to it, or down, never up.
        self.login = self.actor
        self._listeners: list[Callable[[], None]] = []

    def after_write(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every committed write (from the writing thread): what the UI
        shows beside a screen (the header's counts) follows every change, whichever screen made it."""
        self._listeners.append(listener)

    @property
    def shared(self) -> bool:
        """A team database, where the login is the identity and nobody switches user."""
        return self._engine.dialect.name == "postgresql"

    def may_switch_to(self, target: UserView) -> bool:
        if self.shared or not target.active:
            return False
        other = Actor(name=target.name, role=target.role, startup_id=target.startup_id)
        return other.name != self.actor.name and may_switch(self.login, self.actor, other)

    def write(self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work(self._engine) as session:
            result = fn(session, *args, **kwargs)
        for listener in self._listeners:
            listener()
        return result

    def read(self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        with read_only(self._engine) as session:
            return fn(session, *args, **kwargs)

    def deliver_notices(self, *, only: int | None = None) -> PassReport:
        """Send what is due to the endpoints (one pass), as the current actor, each step in its
        own transaction: the TUI delivers while it is open on a single-user database."""
        from ir_pipeline.notify.delivery import deliver_pass, make_client

        with make_client() as client:
            return deliver_pass(
                lambda: unit_of_work(self._engine), actor=self.actor, client=client, only=only
            )

    def update_rates(self) -> tuple[int, StoreReport]:
        """Fetch the last week's reference rates and store them (the palette's "Update exchange
        rates"): the network first, then one transaction."""
        from ir_pipeline.clock import local_today
        from ir_pipeline.config import base_currency
        from ir_pipeline.fx.update import recent, update_rates

        start, end = recent(local_today())
        return update_rates(
            lambda: unit_of_work(self._engine), actor=self.actor, base=base_currency(), start=start, end=end
        )

    def load_demo(self) -> DemoSummary:
        """Load the demo into this empty database (the first-run panel), then stand on its date."""
        from ir_pipeline.demo import start_demo

        summary = self.write(start_demo, actor=self.actor)
        self.as_of = follow(self._engine)
        return summary

    def switch_user(self, name: str) -> Actor:
        """Act as another registered user, if that never raises rights (SQLite only)."""
        if self.shared:
            raise Forbidden("on a shared PostgreSQL database you act as your own login: no switching")
        if name == self.login.name:  # back to who this session started as (maybe unregistered)
            self.actor = self.login
            return self.actor
        target = self.read(actor_for, name)
        require_switch(self.login, self.actor, target)
        self.actor = target
        return self.actor
