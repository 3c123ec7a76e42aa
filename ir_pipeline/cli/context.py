"""Per-invocation state: which database, which user, opened only when a command needs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today
from ir_pipeline.config import Settings
from ir_pipeline.database import open_database
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.services.users import actor_for


@dataclass
class CliContext:
    settings: Settings
    as_user: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_database(self.settings.database_url)
        return self._engine

    @property
    def actor(self) -> Actor:
        """``--as NAME`` (or ``IRP_USER``) names a user; without one you act as local staff."""
        if self._actor is None:
            if self.as_user:
                with read_only(self.engine) as session:
                    self._actor = actor_for(session, self.as_user)
            else:
                self._actor = Actor.local_operator()
        return self._actor

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for this command's change."""
        with unit_of_work(self.engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with read_only(self.engine) as session:
            yield session

    @property
    def today(self) -> date:
        return local_today()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def cli_context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext), "the root callback sets the context"
    return obj
