"""The TUI's flows, driven from the keyboard with Textual's Pilot on a real demo database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from rich.text import Text
from sqlalchemy.engine import Engine
from textual.widgets import Button, DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only
from ir_pipeline.demo import AS_OF
from ir_pipeline.enums import Role
from ir_pipeline.queries.deals import get_deal_detail
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.queries.funnel import loi_summary
from ir_pipeline.stages import Stage
from tests.helpers import snapshot
from tests.tui.conftest import settle
from tui.app import IrpApp
from tui.commands import IrpCommands
from tui.forms.pipeline import LoiForm, MoveStageForm
from tui.screens.dashboard import DashboardScreen
from tui.screens.deal import DealScreen
from tui.screens.followups import FollowUpsScreen
from tui.screens.pipeline import PipelineScreen
from tui.screens.startup import StartupScreen

MANAGER = Actor(name="m", role=Role.MANAGER)


def text_of(app: IrpApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_staff_open_on_the_pipeline_and_managers_on_the_dashboard(
    app_as: Callable[[str], IrpApp],
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
        assert app.screen.query_one("#deals", DataTable).row_count == 32
    app = app_as("manager")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "26건 · 8개사" in text_of(app, "#headline")
        assert "₩17,150,000,000 · 171억 5천만 원" in text_of(app, "#headline")


async def test_record_an_loi_from_the_pipeline_and_see_the_funnel_move(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LoiForm)
        await pilot.press(*"1.5억")
        await pilot.pause()
        assert "₩150,000,000 · 1억 5천만 원" in str(app.screen.query(".field-hint").first().render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
        await pilot.press("1")
        await settle(pilot)
        assert "27건" in text_of(app, "#headline")
        assert "₩17,300,000,000 · 173억 원" in text_of(app, "#headline")
    with read_only(sqlite_demo) as s:
        assert loi_summary(s, actor=MANAGER).total["KRW"].minor == 17_300_000_000


async def test_an_invalid_amount_is_explained_and_nothing_is_saved(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    before = snapshot(sqlite_demo)
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"-5억")
        await pilot.pause()
        assert "negative" in str(app.screen.query(".field-hint").first().render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LoiForm)  # still open, nothing typed is lost
        assert "negative" in str(app.screen.query_one("#form-error", Static).render())
        assert app.screen.query_one("#amount Input").value == "-5억"  # type: ignore[attr-defined]
    assert snapshot(sqlite_demo) == before


async def test_move_a_deal_to_funded_with_a_funding_record(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # deal #2, at LOI
        await settle(pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == 2
        for expected in (Stage.DILIGENCE, Stage.TERM_SHEET):
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, MoveStageForm)
            await pilot.press("ctrl+s")  # the next stage forward is preselected
            await settle(pilot)
            assert isinstance(app.screen, DealScreen)
            assert app.screen.detail is not None and app.screen.detail.deal.stage is expected
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("ctrl+s")  # Funded, but no funding recorded yet
        await settle(pilot)
        assert isinstance(app.screen, MoveStageForm)
        assert "no funding recorded" in str(app.screen.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        await pilot.press(*"5억")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
    with read_only(sqlite_demo) as s:
        detail = get_deal_detail(s, actor=MANAGER, deal_id=2)
    assert detail.deal.stage is Stage.FUNDED
    assert [h.to_stage for h in detail.history][-3:] == [Stage.DILIGENCE, Stage.TERM_SHEET, Stage.FUNDED]
    assert detail.fundings[0].amount.minor == 500_000_000


async def test_an_illegal_move_is_explained_and_changes_nothing(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine
) -> None:
    before = snapshot(sqlite_demo)
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")  # deal #1, at Diligence
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MoveStageForm)
        from textual.widgets import Select

        form.query_one("#to Select", Select).value = Stage.SOURCED
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = str(form.query_one("#form-error", Static).render())
        assert "cannot move a deal from Diligence to Sourced" in message
    assert snapshot(sqlite_demo) == before


async def test_lost_asks_for_a_reason(app_as: Callable[[str], IrpApp], sqlite_demo: Engine) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        from textual.widgets import Select

        app.screen.query_one("#to Select", Select).value = Stage.LOST
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "reason is required" in str(app.screen.query_one("#form-error", Static).render())
        app.screen.query_one("#reason Input").value = "valuation gap"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
    with read_only(sqlite_demo) as s:
        assert get_deal_detail(s, actor=MANAGER, deal_id=1).history[-1].reason == "valuation gap"


async def test_complete_an_overdue_follow_up(app_as: Callable[[str], IrpApp], sqlite_demo: Engine) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        assert "3 overdue" in text_of(app, "#queue-summary")
        first = app.screen.items[0]
        assert first.due_on < AS_OF
        await pilot.press("c")
        await settle(pilot)
        assert "2 overdue" in text_of(app, "#queue-summary")
        await pilot.press("s")  # snooze the next one by a day
        await settle(pilot)
        assert "1 overdue" in text_of(app, "#queue-summary")
    with read_only(sqlite_demo) as s:
        page = follow_up_queue(s, actor=MANAGER, today=AS_OF)
    assert page.overdue == 1 and first.id not in {f.id for f in page.items}


async def test_managers_read_but_cannot_edit(app_as: Callable[[str], IrpApp], sqlite_demo: Engine) -> None:
    before = snapshot(sqlite_demo)
    app = app_as("manager")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("l", "m")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)  # no form opened
        await pilot.press("3", "c")
        await settle(pilot)
    assert snapshot(sqlite_demo) == before


async def test_a_startup_user_sees_only_its_own_company(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("greengrid")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartupScreen)
        assert "GreenGrid (demo)" in text_of(app, "#startup-title")
        assert "LOIs 5건" in text_of(app, "#startup-title")
        assert app.screen.query_one("#startup-deals", DataTable).row_count == 6
        # no other screen is reachable by key
        for key in "1235":
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, StartupScreen)
        # asking for another startup's view still shows only its own
        await app.push_screen(StartupScreen(startup_id=2))
        await settle(pilot)
        assert "GreenGrid (demo)" in text_of(app, "#startup-title")
        assert "Mobility" not in text_of(app, "#startup-title")
        # another startup's deal does not open
        await app.push_screen(DealScreen(6))
        await settle(pilot)
        assert app.screen.detail is None  # type: ignore[attr-defined]
        assert any("no deal #6" in str(n.message) for n in app._notifications)


async def test_palette_offers_a_startup_user_nothing_of_other_startups(
    app_as: Callable[[str], IrpApp],
) -> None:
    app = app_as("greengrid")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = IrpCommands(app.screen)
        found = {str(hit.match_display) async for hit in provider.search("Mobility")}
        found |= {str(hit.match_display) async for hit in provider.search("demo")}
        found |= {str(hit.display) async for hit in provider.discover()}
        assert found, "the palette should still offer the user's own things"
        assert not any("Mobility" in f or "ParkMate" in f for f in found)
        assert not any(f.startswith("Switch user") for f in found)
        assert not any("Pipeline" in f or "Dashboard" in f for f in found)
        assert any("GreenGrid" in f for f in found)


async def test_palette_jumps_to_a_startup_for_staff(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = IrpCommands(app.screen)
        hits = [hit async for hit in provider.search("mobility")]
        startup_hit = next(h for h in hits if str(h.match_display).startswith("Startup: Mobility Lab"))
        startup_hit.command()
        await settle(pilot)
        assert isinstance(app.screen, StartupScreen)
        assert "Mobility Lab (demo)" in text_of(app, "#startup-title")


async def test_switch_user_from_the_palette(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = IrpCommands(app.screen)
        (hit,) = [h async for h in provider.search("switch user airsense")]
        hit.command()
        await settle(pilot)
        assert app.actor.name == "airsense"
        assert isinstance(app.screen, StartupScreen)
        assert "AirSense (demo)" in text_of(app, "#startup-title")


async def test_a_database_error_is_a_notification_not_a_crash(
    app_as: Callable[[str], IrpApp], tmp_path: Path
) -> None:
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # the database disappears under the running app
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        app.backend._engine.dispose()
        app.backend._engine = sa.create_engine(f"sqlite:///{blocker}/gone.sqlite3")
        await pilot.press("3")
        await settle(pilot)
        assert any(n.severity == "error" for n in app._notifications)
        assert app.is_running


async def test_create_and_edit_records(app_as: Callable[[str], IrpApp], sqlite_demo: Engine) -> None:
    from ir_pipeline.queries.records import list_startups
    from tui.forms.records import StartupForm

    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        app.screen.query_one("#tabs").active = "startups"  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, StartupForm)
        await pilot.press(*"(주)새로운랩")
        await pilot.press("tab", *"mobility")
        await pilot.press("tab", *"101-81-00099")  # wrong check digit
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StartupForm)
        assert "check digit" in str(app.screen.query_one("#form-error", Static).render())
        bno = app.screen.query_one("#bno Input")
        bno.value = ""  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, StartupForm)
    with read_only(sqlite_demo) as s:
        names = [x.name for x in list_startups(s, actor=MANAGER, search="새로운랩")]
    assert names == ["(주)새로운랩"]


async def test_dark_and_light_themes(app_as: Callable[[str], IrpApp]) -> None:
    app = app_as("manager")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == "textual-light"
        assert "26건" in text_of(app, "#headline")


async def test_pipeline_search_and_stage_filter(app_as: Callable[[str], IrpApp]) -> None:
    from textual.widgets import Select

    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"greengrid", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        assert {r.startup for r in screen.rows} == {"GreenGrid (demo)"} and len(screen.rows) == 6
        screen.query_one("#stage", Select).value = Stage.LOI
        await settle(pilot)
        assert len(screen.rows) == 4 and {r.stage for r in screen.rows} == {Stage.LOI}
        table = screen.query_one("#deals", DataTable)
        table.post_message(DataTable.HeaderSelected(table, ColumnKey("last_loi"), 4, Text("Last LOI")))
        await settle(pilot)
        amounts = [r.last_loi.minor for r in screen.rows if r.last_loi]
        assert amounts == sorted(amounts, reverse=True)  # largest first on the first click
        table.post_message(DataTable.HeaderSelected(table, ColumnKey("last_loi"), 4, Text("Last LOI")))
        await settle(pilot)
        amounts = [r.last_loi.minor for r in screen.rows if r.last_loi]
        assert amounts == sorted(amounts)  # a second click reverses


async def test_import_from_the_palette_with_a_dry_run_first(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine, tmp_path: Path
) -> None:
    from textual.widgets import Checkbox

    from tui.forms.transfer import ImportForm

    path = tmp_path / "new_lois.csv"
    path.write_text(
        "기업명,투자사,금액\nGreenGrid (demo),Nordic Smart Cities Fund (demo),2억\n", encoding="utf-8"
    )
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = IrpCommands(app.screen)
        (hit,) = [h async for h in provider.search("import a spreadsheet")]
        hit.command()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ImportForm)
        assert "Check (dry run)" in str(form.query_one("#save", Button).label)  # says what it does
        form.query_one("#path Input").value = str(path)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the dry run keeps the form and the file, says what would happen, and offers the import
        assert app.screen is form and form.query_one("#dry-run", Checkbox).value is False
        assert "would create 1" in str(form.query_one("#import-rows", Static).render())
        assert "Import now" in str(form.query_one("#save", Button).label)
        assert form.query_one("#path Input").value == str(path)  # type: ignore[attr-defined]
        with read_only(sqlite_demo) as s:
            assert loi_summary(s, actor=MANAGER).total["KRW"].minor == 17_150_000_000
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ImportForm)
        with read_only(sqlite_demo) as s:
            assert loi_summary(s, actor=MANAGER).total["KRW"].minor == 17_350_000_000
        # an export says where it went, and y copies that path
        (export_hit,) = [h async for h in provider.search("export")]
        export_hit.command()
        await settle(pilot)
        target = tmp_path / "out.xlsx"
        app.screen.query_one("#path Input").value = str(target)  # type: ignore[attr-defined]
        assert "Export" in str(app.screen.query_one("#save", Button).label)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.is_file()
        assert any(f"exported to {target}" in str(n.message) for n in app._notifications)
        await pilot.press("y")
        await settle(pilot)
        assert any(f"Copied: {target}" in str(n.message) for n in app._notifications)


async def test_a_rejected_import_keeps_the_form_open_with_the_problems(
    app_as: Callable[[str], IrpApp], sqlite_demo: Engine, tmp_path: Path
) -> None:
    from tui.forms.transfer import ImportForm

    path = tmp_path / "bad.csv"
    path.write_text("기업명,투자사,금액\nNobody,Hanbit Ventures (demo),abc\n", encoding="utf-8")
    before = snapshot(sqlite_demo)
    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (hit,) = [h async for h in IrpCommands(app.screen).search("import a spreadsheet")]
        hit.command()
        await settle(pilot)
        form = app.screen
        form.query_one("#path Input").value = str(path)  # type: ignore[attr-defined]
        form.query_one("#dry-run").value = False  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImportForm)
        message = str(app.screen.query_one("#form-error", Static).render())
        assert "line 2, column 기업명" in message and "line 2, column 금액" in message
    assert snapshot(sqlite_demo) == before


async def test_the_export_file_name_follows_kind_and_format(
    app_as: Callable[[str], IrpApp], tmp_path: Path
) -> None:
    """The suggested name follows the choices; a typed name keeps its name and takes the
    format's ending where you can see it; a mismatch typed afterwards is refused, not rewritten."""
    from textual.widgets import Select

    from tui.forms.transfer import ExportForm

    app = app_as("staff")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (hit,) = [h async for h in IrpCommands(app.screen).search("export")]
        hit.command()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ExportForm)
        path = form.query_one("#path Input", Input)
        assert path.value == "~/lois.xlsx"
        form.query_one("#kind Select", Select).value = "startups"
        await settle(pilot)
        form.query_one("#format Select", Select).value = "csv"
        await settle(pilot)
        assert path.value == "~/startups.csv"
        path.value = str(tmp_path / "mine.csv")
        form.query_one("#format Select", Select).value = "json"
        await settle(pilot)
        assert path.value == str(tmp_path / "mine.json")
        path.value = str(tmp_path / "mine.csv")  # typed against the chosen format
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportForm) and not (tmp_path / "mine.csv").exists()
        assert not (tmp_path / "mine.json").exists()
