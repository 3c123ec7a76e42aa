"""``irp tui`` paints its first frame before the database layer is loaded: the app starts with a
way to connect, shows "opening the database…", and lands on the user's home screen once the
worker has opened it; a database that cannot be opened ends the app with exit code 1 and the
reason, never a traceback. The UI module itself loads no SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
import threading

from sqlalchemy.engine import Engine
from textual.widgets import Static

from ir_pipeline.actors import Actor
from ir_pipeline.enums import Role
from ir_pipeline.errors import DatabaseUnavailable
from ir_pipeline.gateway import Backend
from tests.tui.conftest import settle
from tui.app import make_app


async def test_first_frame_then_home_once_the_database_is_open(sqlite_demo: Engine) -> None:
    gate = threading.Event()

    def connect() -> Backend:
        gate.wait(timeout=30)  # the database "takes a while"
        return Backend(sqlite_demo, Actor("staff", Role.STAFF))

    app = make_app(connect=connect)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "opening the database" in str(app.screen.query_one("#starting", Static).render())
        assert app.allowed_modes() == []
        await pilot.press("1")  # number keys wait for the database too
        assert app.current_mode == "starting"
        gate.set()
        await settle(pilot)
        assert type(app.screen).__name__ == "PipelineScreen"
        assert app.screen.rows  # type: ignore[attr-defined]


async def test_a_database_that_cannot_open_ends_the_app_with_its_reason() -> None:
    def connect() -> Backend:
        raise DatabaseUnavailable("cannot open /nowhere/irp.sqlite3: no such folder")

    app = make_app(connect=connect)
    async with app.run_test() as pilot:
        await settle(pilot)
    assert app.return_code == 1


def test_the_ui_module_loads_no_database_layer() -> None:
    code = "import sys, tui.app; print(any(m.startswith(('sqlalchemy', 'sqlmodel')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
