"""Staff's internal notes never reach a startup, on any surface; shared ones do.

A marker string is planted in an internal follow-up note, an internal deal note and a stage
move's reason on GreenGrid's deal, and another in a shared follow-up note. Every surface a
startup reads is then read as GreenGrid (on PostgreSQL as a real startup login, so the
database's column grants are what is tested): the internal marker never appears, the shared one
does, and staff see both, the shared one marked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ir_pipeline.actors import Actor
from ir_pipeline.cli.main import app
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.enums import EndpointFormat, Role
from ir_pipeline.lookup import resolve_startup
from ir_pipeline.notify.delivery import deliver_pass, make_client
from ir_pipeline.notify.endpoints import add_endpoint
from ir_pipeline.queries.deals import DealFilter, get_deal_detail, list_deals
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.services import deals, followups
from ir_pipeline.services.users import create_user
from ir_pipeline.sharing import SHARED_MARK
from ir_pipeline.stages import Stage
from tests.conftest import STAFF, TODAY, People
from tests.notify.receiver import receiver

INTERNAL = "INTERNAL-7d1e"
SHARED = "SHARED-4c2b"
runner = CliRunner()


@dataclass
class Planted:
    staff: Engine
    startup: Engine
    reader: Actor
    deal_id: int
    cli: list[str]  # how the CLI connects as the startup


@pytest.fixture
def planted(demo_engine: Engine, people: People) -> Iterator[Planted]:
    with read_only(demo_engine) as session:
        gg = resolve_startup(session, "GreenGrid", actor=STAFF)
        assert gg.id is not None
        deal_id = list_deals(session, actor=STAFF, flt=DealFilter(startup_id=gg.id)).rows[0].id
    with unit_of_work(demo_engine) as session:
        add = followups.add_follow_up
        add(
            session,
            actor=STAFF,
            deal_id=deal_id,
            draft=FollowUpDraft(TODAY, note=f"founder unsure {INTERNAL}"),
        )
        add(
            session,
            actor=STAFF,
            deal_id=deal_id,
            draft=FollowUpDraft(TODAY, note=f"deck {SHARED}", shared=True),
        )
        deals.update_deal(session, actor=STAFF, deal_id=deal_id, notes=f"valuation gap {INTERNAL}")
        deals.move_stage(session, actor=STAFF, deal_id=deal_id, to=Stage.ON_HOLD, reason=f"gap {INTERNAL}")
        deals.move_stage(session, actor=STAFF, deal_id=deal_id, to=Stage.DILIGENCE, reason=f"back {INTERNAL}")
    url = demo_engine.url.render_as_string(hide_password=False)
    if demo_engine.dialect.name == "postgresql":
        engine, reader = people("gg", Role.STARTUP, gg.id)
        cli = ["--db", engine.url.render_as_string(hide_password=False)]
    else:
        with unit_of_work(demo_engine) as session:
            create_user(session, actor=STAFF, name="gg", role=Role.STARTUP, startup_id=gg.id, login=False)
        engine, reader = demo_engine, Actor(name="gg", role=Role.STARTUP, startup_id=gg.id)
        cli = ["--db", url, "--as", "gg"]
    yield Planted(demo_engine, engine, reader, deal_id, cli)


def _clean(text: str) -> None:
    assert INTERNAL not in text
    assert SHARED in text


def test_staff_see_every_note_and_the_shared_one_marked(planted: Planted) -> None:
    with read_only(planted.staff) as session:
        detail = get_deal_detail(session, actor=STAFF, deal_id=planted.deal_id)
    assert INTERNAL in detail.notes and any(INTERNAL in h.reason for h in detail.history)
    assert {f.note_shared for f in detail.follow_ups if SHARED in f.note} == {True}
    code = runner.invoke(
        app,
        [
            "--db",
            planted.staff.url.render_as_string(hide_password=False),
            "deal",
            "show",
            str(planted.deal_id),
        ],
    )
    assert code.exit_code == 0 and f"{SHARED_MARK} deck {SHARED}" in code.stdout and INTERNAL in code.stdout


def test_queries_as_the_startup_carry_shared_notes_only(planted: Planted) -> None:
    with read_only(planted.startup) as session:
        detail = get_deal_detail(session, actor=planted.reader, deal_id=planted.deal_id)
        queue = follow_up_queue(session, actor=planted.reader, today=TODAY, include_closed=True)
    _clean(repr(detail))
    _clean(repr(queue))
    assert detail.notes == "" and all(h.reason == "" for h in detail.history)


@pytest.mark.parametrize(
    "args",
    [
        ["deal", "show", "{deal}", "--json"],
        ["deal", "show", "{deal}"],
        ["followups", "--json", "--all"],
        ["followups", "--ics"],
        ["export", "followups", "--format", "json"],
        ["export", "followups", "--format", "csv"],
        ["report", "startup", "GreenGrid", "--format", "md"],
        ["report", "startup", "GreenGrid", "--format", "html"],
    ],
    ids=lambda a: "-".join(x for x in a if not x.startswith("{")),
)
def test_every_cli_surface_as_the_startup(planted: Planted, args: list[str]) -> None:
    done = runner.invoke(app, [*planted.cli, *(a.format(deal=planted.deal_id) for a in args)])
    assert done.exit_code == 0, done.output
    if args[0] == "deal" and "--json" not in args:
        assert INTERNAL not in done.stdout  # the table shows the shared note, cut to its width
        return
    _clean(done.stdout)


def test_a_startup_scoped_endpoint_gets_shared_notes_only(planted: Planted) -> None:
    with receiver() as rx, receiver() as staff_rx:
        with unit_of_work(planted.staff) as session:
            gg = resolve_startup(session, "GreenGrid", actor=STAFF).id
            add_endpoint(
                session, actor=STAFF, name="gg", url=rx.url, format=EndpointFormat.STANDARD, startup_id=gg
            )
            add_endpoint(session, actor=STAFF, name="team", url=staff_rx.url, format=EndpointFormat.STANDARD)
        with unit_of_work(planted.staff) as session:
            add = followups.add_follow_up
            add(
                session,
                actor=STAFF,
                deal_id=planted.deal_id,
                draft=FollowUpDraft(date(2026, 12, 1), note=f"x {INTERNAL}"),
            )
            add(
                session,
                actor=STAFF,
                deal_id=planted.deal_id,
                draft=FollowUpDraft(date(2026, 12, 2), note=f"y {SHARED}", shared=True),
            )
            deals.move_stage(
                session, actor=STAFF, deal_id=planted.deal_id, to=Stage.ON_HOLD, reason=f"why {INTERNAL}"
            )
        with make_client() as client:
            deliver_pass(lambda: unit_of_work(planted.staff), actor=STAFF, client=client)
    sent = json.dumps([r["body"] for r in rx.requests], ensure_ascii=False)
    assert len(rx.requests) == 3
    _clean(sent)
    team = json.dumps([r["body"] for r in staff_rx.requests], ensure_ascii=False)
    assert INTERNAL in team and SHARED in team and "shared_summary" not in team


async def test_the_tui_startup_and_deal_screens_as_the_startup(planted: Planted) -> None:
    from ir_pipeline.gateway import Backend
    from tests.tui.conftest import settle
    from tui.app import make_app
    from tui.screens.deal import DealScreen

    app_ = make_app(backend=Backend(planted.startup, planted.reader))
    async with app_.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        home = _screen_text(app_)
        assert INTERNAL not in home and SHARED in home
        await app_.push_screen(DealScreen(planted.deal_id))
        await settle(pilot)
        deal = _screen_text(app_)
        assert INTERNAL not in deal and SHARED in deal


def _screen_text(app_: object) -> str:
    from textual.widgets import DataTable, Static

    screen = app_.screen  # type: ignore[attr-defined]
    parts = [str(w.render()) for w in screen.query(Static)]
    for table in screen.query(DataTable):
        for row in range(table.row_count):
            parts += [str(c) for c in table.get_row_at(row)]
    return "\n".join(parts)


def test_the_shared_parts_and_the_grants_tell_one_story() -> None:
    """What a startup may not read (the column grants, ``STARTUP_HIDDEN``) and what it reads
    instead (``SHARED_PART``) are two tables that must agree: every shared part belongs to a
    hidden note of a real table, is itself readable, and is the column the database computes."""
    from sqlmodel import SQLModel

    import ir_pipeline.models  # noqa: F401  (the tables, for their columns)
    from ir_pipeline.rights import STARTUP_HIDDEN
    from ir_pipeline.sharing import SHARED_PART, readable_column

    startup = Actor(name="x", role=Role.STARTUP, startup_id=1)
    tables = SQLModel.metadata.tables
    for table, parts in SHARED_PART.items():
        for note, part in parts.items():
            assert note in STARTUP_HIDDEN[table], (table, note)
            assert part not in STARTUP_HIDDEN[table], (table, part)
            assert tables[table].c[part].computed is not None, (table, part)
            assert readable_column(startup, table, note) == part
            assert readable_column(STAFF, table, note) == note
    for table, hidden in STARTUP_HIDDEN.items():
        for column in hidden:
            assert column in tables[table].c, (table, column)
            if column not in SHARED_PART.get(table, {}):
                assert readable_column(startup, table, column) is None, (table, column)
