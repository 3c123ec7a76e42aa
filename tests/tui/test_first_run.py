"""A first run: an empty database says how to start, and every way it names works; New LOI offers
to record a startup or investor it does not know."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import Checkbox, Static

from ir_pipeline.db import make_engine, read_only
from ir_pipeline.gateway import Backend
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.queries.records import list_investors, list_startups
from tests.conftest import MANAGER, STAFF
from tests.helpers import snapshot
from tests.tui.conftest import settle
from tui.app import make_app
from tui.forms.pipeline import NewLoiForm
from tui.forms.records import StartupForm


@pytest.fixture
def empty(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def text_of(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_an_empty_database_opens_on_how_to_start_and_loads_the_demo(empty: Engine) -> None:
    app = make_app(backend=Backend(empty, STAFF))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#first-run").display
        assert not app.screen.query_one("#deals").display
        assert "Nothing is recorded yet" in text_of(app, "#first-run-text")
        assert app.focused is not None and app.focused.id == "first-demo"
        await pilot.press("enter")
        await settle(pilot)
        assert not app.screen.query_one("#first-run").display
        assert "as of 2018-10-10" in app.sub_title
    with read_only(empty) as s:
        lois = funnel(s, actor=MANAGER).lois
    assert (lois.count, lois.startups, lois.total.as_json()) == (26, 8, {"KRW": "17150000000"})


async def test_l_on_an_empty_database_opens_new_loi_which_can_create_both_names(empty: Engine) -> None:
    app = make_app(backend=Backend(empty, STAFF))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewLoiForm)
        form.query_one("#startup Input").value = "Acme Robotics"  # type: ignore[attr-defined]
        form.query_one("#investor Input").value = "Nara Ventures"  # type: ignore[attr-defined]
        form.query_one("#amount Input").value = "3억"  # type: ignore[attr-defined]
        before = snapshot(empty)
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = text_of(app, "#form-error")
        assert "no startup named 'Acme Robotics'" in error and "record it as a new startup" in error
        assert app.focused is form.query_one("#create", Checkbox)  # where to go next
        assert snapshot(empty) == before
        await pilot.press("space")  # tick it
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewLoiForm)
    with read_only(empty) as s:
        assert [x.name for x in list_startups(s, actor=MANAGER)] == ["Acme Robotics"]
        assert [x.name for x in list_investors(s, actor=MANAGER)] == ["Nara Ventures"]
        assert funnel(s, actor=MANAGER).lois.total.as_json() == {"KRW": "300000000"}


async def test_the_first_run_panel_adds_a_startup(empty: Engine) -> None:
    app = make_app(backend=Backend(empty, STAFF))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#first-startup")
        await settle(pilot)
        assert isinstance(app.screen, StartupForm)
        app.screen.query_one("#name Input").value = "Acme Robotics"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
    with read_only(empty) as s:
        assert [x.name for x in list_startups(s, actor=MANAGER)] == ["Acme Robotics"]
