"""Per-invocation state: which database, which user, opened only when a command needs them.

Importing this module loads no database code: SQLAlchemy, the models and the services are
imported by the first command that opens the database, so ``irp tui`` can paint its first frame
before any of them is loaded (its worker opens the database).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import typer

from ir_pipeline.actors import Actor
from ir_pipeline.config import Settings, demo_database_url
from ir_pipeline.errors import Forbidden

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


@dataclass
class CliContext:
    settings: Settings
    as_user: str | None = None
    demo: bool = False
    _engine: Engine | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    def use_demo(self) -> None:
        """Work on the demo database (its own file beside the real one), loaded on first use."""
        if self._engine is not None:  # pragma: no cover - only before the database is opened
            raise RuntimeError("the database is already open")
        self.settings = replace(self.settings, database_url=demo_database_url())
        self.demo = True

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from ir_pipeline.database import open_database
            from ir_pipeline.db import unit_of_work
            from ir_pipeline.services.database_date import follow

            self._engine = open_database(self.settings.database_url)
            if self.demo:
                from ir_pipeline.demo import load_demo  # only the demo database needs the demo set
                from ir_pipeline.queries.records import has_data

                with unit_of_work(self._engine) as session:
                    if not has_data(session):
                        load_demo(session)
            follow(self._engine)  # a database with its own date (the demo's) sets today
        return self._engine

    @property
    def is_postgres(self) -> bool:
        from ir_pipeline.db import backend_name

        return backend_name(self.settings.database_url) == "postgresql"

    @property
    def actor(self) -> Actor:
        """Who this command acts as.

        PostgreSQL: the database login, always (``--as``/``IRP_USER`` would be impersonation).
        SQLite: ``--as NAME`` (or ``IRP_USER``) picks a registered user's view; without one the
        registered ``staff`` user acts (or ``staff`` itself, before anyone is registered).
        """
        if self._actor is None:
            from ir_pipeline.db import read_only
            from ir_pipeline.services.users import actor_for, login_actor, single_user_actor

            if self.is_postgres:
                if self.as_user:
                    raise Forbidden(
                        f"--as and IRP_USER are refused on a shared PostgreSQL database ({self.as_user!r}):"
                        " you act as the login you connect with; connect as that user instead"
                    )
                with read_only(self.engine) as session:
                    self._actor = login_actor(session)
            elif self.as_user:
                with read_only(self.engine) as session:
                    self._actor = actor_for(session, self.as_user)
            else:
                with read_only(self.engine) as session:
                    self._actor = single_user_actor(session)
        return self._actor

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for this command's change."""
        from ir_pipeline.db import unit_of_work

        with unit_of_work(self.engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        from ir_pipeline.db import read_only

        with read_only(self.engine) as session:
            yield session

    @property
    def today(self) -> date:
        """Today for this database: its own date when it keeps one, so it is opened first."""
        from ir_pipeline.clock import local_today

        _ = self.engine
        return local_today()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def cli_context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext), "the root callback sets the context"
    return obj
