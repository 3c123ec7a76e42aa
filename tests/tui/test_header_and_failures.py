"""The header's counts are the current user's, at once after a switch and after every change; a
worker that fails in a way nobody foresaw ends its progress display with one line; and the
palette's import works for a staff login on PostgreSQL (row-level security allows no COPY)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import Button, Checkbox, ProgressBar, Static

from ir_pipeline.db import make_engine, read_only
from ir_pipeline.gateway import Backend
from ir_pipeline.notify.status import alerts
from ir_pipeline.queries.funnel import loi_summary
from ir_pipeline.services.users import actor_for, login_actor
from tests.conftest import MANAGER, TODAY
from tests.tui.conftest import settle
from tui.app import IrpApp, make_app
from tui.commands import IrpCommands
from tui.forms.transfer import ImportForm, ImportRequest
from tui.screens.followups import FollowUpsScreen


def _count_for(engine: Engine, user: str) -> str:
    with read_only(engine) as session:
        return alerts(session, actor=actor_for(session, user), today=TODAY).text()


async def test_the_header_counts_follow_the_user_and_every_change(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.tick_now()
        await settle(pilot)
        assert "3 overdue" in app.sub_title
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        await pilot.press("c")  # complete the first overdue one: the header follows at once
        await settle(pilot)
        assert "2 overdue" in app.sub_title
        await app.switch_user("greengrid")
        await settle(pilot)
        own = _count_for(sqlite_demo, "greengrid")
        assert own != _count_for(sqlite_demo, "staff")
        assert app.sub_title.startswith("greengrid · startup")
        assert (own in app.sub_title) if own else ("overdue" not in app.sub_title)


async def test_a_worker_that_fails_unforeseen_ends_its_progress_with_one_line(
    app_as: Callable[[str], IrpApp], tmp_path: Path
) -> None:
    path = tmp_path / "lois.csv"
    path.write_text("기업명,투자사,금액\nA,B,1억\n", encoding="utf-8")

    def broken(_request: ImportRequest) -> object:
        raise RuntimeError("COPY FROM not supported with row-level security\nHINT: use INSERT")

    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = ImportForm(broken)  # type: ignore[arg-type]
        await app.push_screen(form)
        await settle(pilot)
        form.query_one("#path Input").value = str(path)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and not form.saving  # saving again is possible
        assert form.query_one("#import-progress", ProgressBar).display is False
        error = str(form.query_one("#form-error", Static).render())
        assert error == "Something went wrong: RuntimeError: COPY FROM not supported with row-level security"


@pytest.mark.postgres
async def test_the_palette_import_as_a_staff_login_on_postgresql(
    pg_db: str, demo_engine_pg: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "new_lois.csv"
    path.write_text(
        "기업명,투자사,금액\nGreenGrid (demo),Nordic Smart Cities Fund (demo),2억\n", encoding="utf-8"
    )
    engine = make_engine(pg_db)
    with read_only(engine) as session:
        actor = login_actor(session)
    app = make_app(backend=Backend(engine, actor))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (hit,) = [h async for h in IrpCommands(app.screen).search("import a spreadsheet")]
            hit.command()
            await settle(pilot)
            form = app.screen
            assert isinstance(form, ImportForm)
            form.query_one("#path Input").value = str(path)  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")  # the dry run
            await settle(pilot)
            assert "would create 1" in str(form.query_one("#import-rows", Static).render())
            assert form.query_one("#dry-run", Checkbox).value is False
            assert "Import now" in str(form.query_one("#save", Button).label)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, ImportForm)
    finally:
        engine.dispose()
    with read_only(demo_engine_pg) as session:
        assert loi_summary(session, actor=MANAGER).total["KRW"].minor == 17_350_000_000


@pytest.fixture
def demo_engine_pg(pg_db: str) -> Iterator[Engine]:
    """The demo on PostgreSQL (loaded by the owner), read back as the staff login."""
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.demo import load_demo
    from tests.conftest import as_owner, owner_url

    with as_owner():
        owner = make_engine(owner_url(pg_db))
        with unit_of_work(owner) as session:
            load_demo(session)
        owner.dispose()
    engine = make_engine(pg_db)
    yield engine
    engine.dispose()
