"""Follow-ups as an iCalendar file: parsed back by the ``icalendar`` library, one event per open
follow-up the user may see, with UIDs that stay the same from one export to the next."""

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
from ir_pipeline.io.calendar import uid, write_ics
from ir_pipeline.services import followups
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
        }
        for e in calendar.walk("VEVENT")
    }


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
    assert list(first) == [uid(kept.id)]  # only open ones
    event = first[uid(kept.id)]
    assert event["start"] == TODAY + timedelta(days=3)
    assert event["summary"] == "Follow-up: (주)그린그리드 ← Hanbit Ventures (E-mail)"
    assert 'Send the deck; "IC" memo\nby Friday' in str(event["description"])
    with unit_of_work(engine) as session:  # snoozed: the same event, a newer sequence
        followups.reschedule_follow_up(
            session, actor=STAFF, follow_up_id=kept.id, due_on=TODAY + timedelta(days=7)
        )
    second = events(ics(engine, STAFF))
    assert list(second) == list(first)
    assert second[uid(kept.id)]["start"] == TODAY + timedelta(days=7)
    assert int(second[uid(kept.id)]["sequence"]) > int(event["sequence"])  # type: ignore[call-overload]
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
