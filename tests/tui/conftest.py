"""TUI fixtures: the real app on a real demo database, driven by Textual's Pilot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only
from ir_pipeline.enums import Role
from ir_pipeline.gateway import Backend
from ir_pipeline.services.users import actor_for
from tui.app import IrpApp, make_app

DEMO_STAFF = Actor(name="staff", role=Role.STAFF)


@pytest.fixture
def sqlite_demo(sqlite_demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """The demo on SQLite (the UI is backend-agnostic; services are tested on both)."""
    from ir_pipeline.db import make_engine
    from tests.conftest import fresh_sqlite_url

    engine = make_engine(fresh_sqlite_url(sqlite_demo_template, tmp_path))
    yield engine
    engine.dispose()


@pytest.fixture
def app_as(sqlite_demo: Engine) -> Callable[[str], IrpApp]:
    def build(user: str) -> IrpApp:
        with read_only(sqlite_demo) as session:
            actor = actor_for(session, user)
        return make_app(backend=Backend(sqlite_demo, actor))

    return build


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and the screen has caught up with what they showed.

    Workers answer by scheduling UI updates, which may start more work (a reload after a save,
    a column refit after a resize): wait for both a few rounds, then for any animation.
    """
    for _ in range(3):
        await pilot.pause()
        for _ in range(10):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                # an exclusive worker was replaced by a newer one (a screen configured right after
                # it mounted): by design, so wait for the rest again
                await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


async def step(pilot: Pilot[None], key: str | Callable[[IrpApp], object]) -> None:
    """Press a key, or take a step with the app (a palette command's own function, a deal opened
    as ``enter`` on its row opens it), then settle."""
    if isinstance(key, str):
        await pilot.press(key)
    else:
        assert isinstance(pilot.app, IrpApp)
        key(pilot.app)
    await settle(pilot)
