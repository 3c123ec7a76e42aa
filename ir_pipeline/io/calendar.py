"""Follow-ups as an iCalendar file (``.ics``) for Google Calendar, Outlook, NAVER Calendar or khal.

One all-day event per follow-up that the user may see, on its due date: every open one, and
those closed (done or cancelled) within :data:`CLOSED_WINDOW_DAYS`, as ``STATUS:CANCELLED``, so a
calendar that imported the event before marks it instead of keeping a live event for work that
is over. Each event's UID names the follow-up and the database (its ``identity``, a UUID kept by
``irp db copy``), so two databases never replace each other's events; its SEQUENCE is the row's
version, which every change raises, so a newer file updates what an older one put there (RFC
5545 §3.8.7.4). Built with the ``icalendar`` library, which escapes what names and notes contain.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import IO, TYPE_CHECKING

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.enums import FollowUpStatus, label
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.services.database_date import read_identity
from ir_pipeline.views import FollowUpView

if TYPE_CHECKING:
    from icalendar import Event

_PAGE = 1_000
#: How long a closed follow-up stays in the export, as a cancelled event: long enough for a
#: calendar refreshed now and then to see it close, short enough that old work drops out.
CLOSED_WINDOW_DAYS = 90


def uid(follow_up_id: int, identity: str) -> str:
    """``irp-followup-17.<database uuid>@ir-pipeline``: the same in every export of a database."""
    return f"irp-followup-{follow_up_id}.{identity}@ir-pipeline"


def _event(f: FollowUpView, identity: str, stamp: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid(f.id, identity))
    event.add("sequence", f.version)
    event.add("dtstamp", stamp)
    event.add("dtstart", f.due_on)
    event.add("dtend", f.due_on + timedelta(days=1))
    closed = f.status is not FollowUpStatus.OPEN
    prefix = f"{label(f.status)}: " if closed else ""
    event.add("summary", f"{prefix}Follow-up: {f.startup} ← {f.investor} ({label(f.channel)})")
    # closed work is over for a calendar, whether it was done or dropped: it is shown as cancelled
    event.add("status", "CANCELLED" if closed else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: it books no time
    lines = [f"Deal #{f.deal_id}", *([f"Owner: {f.owner}"] if f.owner else []), f.note]
    event.add("description", "\n".join(line for line in lines if line))
    event.add("categories", ["ir-pipeline", label(f.channel)])
    return event


def write_ics(session: Session, *, actor: Actor, today: date, out: IO[str]) -> int:
    """Write the follow-ups ``actor`` may see to ``out`` (open ones, and those closed within the
    window as cancelled); returns how many events."""
    from icalendar import Calendar

    identity = read_identity(session.connection())
    calendar = Calendar()
    calendar.add("prodid", "-//ir-pipeline//follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "ir-pipeline follow-ups")
    stamp = utcnow()
    since = datetime.combine(today - timedelta(days=CLOSED_WINDOW_DAYS), time.min, tzinfo=stamp.tzinfo)
    count = 0
    after: str | None = None
    while True:
        page = follow_up_queue(
            session, actor=actor, today=today, closed_since=since, after=after, limit=_PAGE
        )
        for f in page.items:
            calendar.add_component(_event(f, identity, stamp))
            count += 1
        after = page.next_after
        if after is None:
            break
    out.write(calendar.to_ical().decode("utf-8"))
    return count
