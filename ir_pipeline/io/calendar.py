"""Open follow-ups as an iCalendar file (``.ics``) for Google Calendar, Outlook or NAVER Calendar.

One all-day event per open follow-up that the user may see, on its due date. Each event's UID is
the follow-up's (``irp-followup-17@ir-pipeline``) and its SEQUENCE the row's version, so importing
a newer file updates the events it imported before instead of adding copies. Built with the
``icalendar`` library, which escapes what names and notes contain.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import IO

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.enums import label
from ir_pipeline.queries.followups import follow_up_queue

_PAGE = 1_000


def uid(follow_up_id: int) -> str:
    return f"irp-followup-{follow_up_id}@ir-pipeline"


def write_ics(session: Session, *, actor: Actor, today: date, out: IO[str]) -> int:
    """Write the open follow-ups ``actor`` may see to ``out``; returns how many."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//ir-pipeline//follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "ir-pipeline follow-ups")
    stamp = utcnow()
    count = 0
    after: str | None = None
    while True:
        page = follow_up_queue(session, actor=actor, today=today, after=after, limit=_PAGE)
        for f in page.items:
            event = Event()
            event.add("uid", uid(f.id))
            event.add("sequence", f.version)
            event.add("dtstamp", stamp)
            event.add("dtstart", f.due_on)
            event.add("dtend", f.due_on + timedelta(days=1))
            event.add("summary", f"Follow-up: {f.startup} ← {f.investor} ({label(f.channel)})")
            lines = [f"Deal #{f.deal_id}", *([f"Owner: {f.owner}"] if f.owner else []), f.note]
            event.add("description", "\n".join(line for line in lines if line))
            event.add("categories", ["ir-pipeline", label(f.channel)])
            calendar.add_component(event)
            count += 1
        after = page.next_after
        if after is None:
            break
    out.write(calendar.to_ical().decode("utf-8"))
    return count
