"""The UI's way into the core: each call is one unit of work as the current actor.

The TUI holds a :class:`Backend`, never a session or an engine method: ``backend.write(fn, ...)``
runs a service in its own transaction, ``backend.read(fn, ...)`` a query in a read snapshot.
Both return plain views, safe to keep in widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.services.users import actor_for

P = ParamSpec("P")
R = TypeVar("R")


class Backend:
    def __init__(self, engine: Engine, actor: Actor | None = None) -> None:
        self._engine = engine
        self.actor = actor or Actor.local_operator()

    def write(self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work(self._engine) as session:
            return fn(session, *args, **kwargs)

    def read(self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        with read_only(self._engine) as session:
            return fn(session, *args, **kwargs)

    def switch_user(self, name: str) -> Actor:
        self.actor = self.read(actor_for, name)
        return self.actor
