"""Follow-ups as an iCalendar file: parsed back by the ``icalendar`` library, one event per open
follow-up the user may see (and, cancelled, per one closed within the window), with UIDs that
stay the same from one export to the next and carry the database's identity."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.enums import Role
from ir_pipeline.io.calendar import CLOSED_WINDOW_DAYS, uid, write_ics
from ir_pipeline.services import followups
from ir_pipeline.services.database_date import read_identity
from tests.conftest import STAFF, TODAY
from tests.helpers import seed
from tests.test_cli import irp


def events(text: str) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(text)
    return {
        str(e["uid"]): {
            "start": e.decoded("dtstart"),
            "summary": str(e["summary"]),
            "description": str(e["description"]),
            "sequence": int(e["sequence"]),
            "status": str(e["status"]),
        }
        for e in calendar.walk("VEVENT")
    }


def identity(engine: Engine) -> str:
    with engine.connect() as connection:
        return read_identity(connection)


def ics(engine: Engine, actor: Actor) -> str:
    out = io.StringIO()
    with read_only(engine) as s:
        write_ics(s, actor=actor, today=TODAY, out=out)
    return out.getvalue()


def test_open_follow_ups_round_trip_with_stable_uids(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with unit_of_work(engine) as session:
        kept = followups.add_follow_up(
            session,
            actor=STAFF,
            deal_id=s.deal_id,
            draft=FollowUpDraft(due_on=TODAY + timedelta(days=3), note='Send the deck; "IC" memo\nby Friday'),
        )
        done = followups.add_follow_up(
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=TODAY)
        )
        followups.complete_follow_up(session, actor=STAFF, follow_up_id=done.id)
    first = events(ics(engine, STAFF))
    me = identity(engine)
    assert list(first) == [uid(kept.id, me), uid(done.id, me)]  # open first, then closed
    assert first[uid(done.id, me)]["status"] == "CANCELLED"
    assert str(first[uid(done.id, me)]["summary"]).startswith("Done: Follow-up: ")
    event = first[uid(kept.id, me)]
    assert event["status"] == "CONFIRMED"
    assert event["start"] == TODAY + timedelta(days=3)
    assert event["summary"] == "Follow-up: (주)그린그리드 ← Hanbit Ventures (E-mail)"
    assert 'Send the deck; "IC" memo\nby Friday' in str(event["description"])
    with unit_of_work(engine) as session:  # snoozed: the same event, a newer sequence
        followups.reschedule_follow_up(
            session, actor=STAFF, follow_up_id=kept.id, due_on=TODAY + timedelta(days=7)
        )
    second = events(ics(engine, STAFF))
    assert list(second) == list(first)
    assert second[uid(kept.id, me)]["start"] == TODAY + timedelta(days=7)
    assert int(second[uid(kept.id, me)]["sequence"]) > int(event["sequence"])  # type: ignore[call-overload]
    with unit_of_work(engine) as session:  # cancelled: the same event, cancelled, a newer sequence
        followups.cancel_follow_up(session, actor=STAFF, follow_up_id=kept.id)
    third = events(ics(engine, STAFF))
    assert third[uid(kept.id, me)]["status"] == "CANCELLED"
    assert int(third[uid(kept.id, me)]["sequence"]) > int(second[uid(kept.id, me)]["sequence"])  # type: ignore[call-overload]
    other = Actor("other", Role.STARTUP, startup_id=s.startup_id + 1000)
    assert events(ics(engine, other)) == {}  # scoped to what the user may see


def test_export_and_the_cli_write_the_same_calendar(sqlite_url: str, tmp_path: Path) -> None:
    assert irp("demo", db=sqlite_url)[0] == 0
    code, out, _ = irp("followups", "--ics", db=sqlite_url)
    assert code == 0 and out.startswith("BEGIN:VCALENDAR")
    path = tmp_path / "followups.ics"
    code, _out, err = irp("export", "followups", "--format", "ics", "--out", str(path), db=sqlite_url)
    assert code == 0, err
    assert set(events(path.read_text(encoding="utf-8"))) == set(events(out)) != set()
    code, _out, err = irp("export", "lois", "--format", "ics", db=sqlite_url)
    assert code == 1 and "follow-ups" in err


def test_closed_follow_ups_leave_the_calendar_after_the_window(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with unit_of_work(engine) as session:
        old = followups.add_follow_up(
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=TODAY)
        )
        followups.complete_follow_up(session, actor=STAFF, follow_up_id=old.id)
    later = TODAY + timedelta(days=CLOSED_WINDOW_DAYS + 1)
    out = io.StringIO()
    with read_only(engine) as session:
        assert write_ics(session, actor=STAFF, today=later, out=out) == 0
    with read_only(engine) as session:
        assert write_ics(session, actor=STAFF, today=later - timedelta(days=2), out=io.StringIO()) == 1
