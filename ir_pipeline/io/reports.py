"""Share packs: one-page reports for a startup or an event, in Markdown or self-contained HTML.

Templates are Jinja2 with autoescaping on, so a name like ``<script>`` is shown, never run; the
HTML carries its own CSS and an inline SVG chart and works offline. Data comes from the same
role-scoped queries as the screens: a startup report holds that startup's data only.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today, to_local
from ir_pipeline.enums import label
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.fx.converted import Converted, describe, needs_conversion
from ir_pipeline.io.charts import Bar, bar_chart
from ir_pipeline.lookup import resolve_event, resolve_startup
from ir_pipeline.money import Totals, format_korean, format_symbol
from ir_pipeline.queries.deals import DealFilter, list_deals
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.queries.funnel import Funnel, FunnelFilter, funded_line, funnel
from ir_pipeline.queries.lois import loi_page
from ir_pipeline.queries.recorded import FundingRow, funding_rows
from ir_pipeline.queries.records import get_startup
from ir_pipeline.stages import FUNNEL
from ir_pipeline.text import plural, printable
from ir_pipeline.views import DealRow, EventView, FollowUpView, LoiView, StartupView

REPORT_FORMATS = ("md", "html")
LIMIT = 1_000


def _environment(fmt: str) -> Environment:
    env = Environment(
        loader=PackageLoader("ir_pipeline.io", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["won"] = lambda m: format_symbol(m)
    env.filters["korean"] = lambda m: format_korean(m)
    env.filters["totals"] = _totals
    env.filters["md"] = _markdown_cell
    env.filters["plural"] = plural
    env.filters["funded"] = funded_line
    env.filters["label"] = label
    env.filters["days_until"] = lambda since, today: max(0, (today - to_local(since).date()).days)
    return env


def _totals(totals: Totals, converted: Converted | None = None) -> str:
    """Per-currency totals; with ``converted``, their converted total and how it was made."""
    if converted is not None and needs_conversion(totals, converted.currency):
        return describe(totals, converted, korean=True)
    return "; ".join(f"{format_symbol(totals[c])} ({format_korean(totals[c])})" for c in totals) or "—"


#: The characters that give Markdown (CommonMark and GitHub's) meaning inside a line: link and
#: image brackets (``[x](javascript:…)``, ``![t](http://…)``), emphasis, code, strike-through
#: and table pipes. ``<``, ``>`` and ``&`` become entities, so no raw HTML or entity gets through.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _markdown_cell(text: object) -> str:
    """Text that Markdown shows as typed, on one line: every special character backslash-escaped,
    ``<`` and ``&`` as entities (no raw HTML), control characters made visible."""
    value = printable(" ".join(str(text).split()), keep_newlines=False)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


@dataclass(frozen=True, slots=True)
class StartupReport:
    startup: StartupView
    funnel: Funnel
    lois: list[LoiView]
    deals: list[DealRow]
    next_steps: list[FollowUpView]
    chart_svg: str
    chart_title: str
    generated: date
    #: Money received on the startup's deals, in the order it was recorded.
    fundings: list[FundingRow] = field(default_factory=list)
    #: Per deal, the part of staff's notes they shared with the startup (a report is forwarded:
    #: whoever makes it, it never carries an internal note).
    shared_notes: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventReport:
    event: EventView
    funnel: Funnel
    headline: str
    chart_svg: str
    chart_title: str
    generated: date


def _chart_title(name: str) -> str:
    return f"{name}: deals that reached each stage"


def _funnel_chart(result: Funnel, title: str) -> str:
    bars = [Bar(s.stage.label, s.reached or 0, f"{s.deals} now") for s in result.stages if s.stage in FUNNEL]
    return bar_chart(bars, title=title)


def startup_report(session: Session, *, actor: Actor, name: str, base: str | None = None) -> StartupReport:
    found = resolve_startup(session, name, actor=actor)
    assert found.id is not None
    return startup_report_of(session, actor=actor, startup_id=found.id, base=base)


def startup_report_of(
    session: Session, *, actor: Actor, startup_id: int, base: str | None = None
) -> StartupReport:
    """The report of the startup ``startup_id`` (a share link names it by id, never by name)."""
    startup = get_startup(session, actor=actor, startup_id=startup_id)  # refuses other startups' users
    flt = FunnelFilter(startup_id=startup.id)
    result = funnel(session, actor=actor, flt=flt, base=base)
    today = local_today()
    return StartupReport(
        startup=startup,
        funnel=result,
        lois=loi_page(session, actor=actor, startup_id=startup.id, limit=LIMIT).rows,
        deals=list_deals(session, actor=actor, flt=DealFilter(startup_id=startup.id), limit=LIMIT).rows,
        next_steps=follow_up_queue(
            session, actor=actor, today=today, startup_id=startup.id, limit=LIMIT
        ).items,
        chart_svg=_funnel_chart(result, _chart_title(startup.name)),
        chart_title=_chart_title(startup.name),
        generated=today,
        fundings=funding_rows(session, actor=actor, startup_id=startup.id, limit=LIMIT)[0],
        shared_notes=_shared_notes(session, startup.id),
    )


def _shared_notes(session: Session, startup_id: int) -> dict[int, str]:
    from sqlmodel import col, select

    from ir_pipeline.models import Deal

    rows = session.execute(
        select(col(Deal.id), col(Deal.shared_notes)).where(
            col(Deal.startup_id) == startup_id, col(Deal.shared_notes) != ""
        )
    ).all()
    return {deal_id: notes for deal_id, notes in rows if notes}


def event_report(session: Session, *, actor: Actor, name: str, base: str | None = None) -> EventReport:
    found = resolve_event(session, name, actor=actor)
    assert found.id is not None
    return event_report_of(session, actor=actor, event_id=found.id, base=base)


def event_report_of(session: Session, *, actor: Actor, event_id: int, base: str | None = None) -> EventReport:
    """The report of the event ``event_id`` (a share link names it by id, never by name)."""
    from sqlmodel import select

    from ir_pipeline.models import Event
    from ir_pipeline.present import event_view
    from ir_pipeline.queries.scope import visible_events

    found = session.exec(visible_events(select(Event), actor).where(Event.id == event_id)).first()
    if found is None:
        raise NotFound(f"no event #{event_id}")
    event = event_view(found)
    result = funnel(session, actor=actor, flt=FunnelFilter(event_id=event.id), ranking_limit=LIMIT, base=base)
    lois = result.lois
    total = " · ".join(format_korean(lois.total[c]) for c in lois.total) or "0 원"
    return EventReport(
        event=event,
        funnel=result,
        headline=f"{lois.count}건 · {lois.startups}개사 · {total}",
        chart_svg=_funnel_chart(result, _chart_title(event.name)),
        chart_title=_chart_title(event.name),
        generated=local_today(),
    )


#: A table of at most this many rows is kept on one page when printed (a longer one breaks
#: between rows, its header repeated).
SHORT_TABLE = 15


def chart_file_for(report_path: Path) -> Path:
    """Where a Markdown report's chart is written: beside it, ``report.md`` → ``report.chart.svg``."""
    return report_path.with_name(f"{report_path.stem}.chart.svg")


def render(report: StartupReport | EventReport, fmt: str, *, chart: bool = True, chart_file: str = "") -> str:
    """The report as Markdown or HTML. HTML embeds its chart (one file that works offline).
    Markdown never does: a ``data:`` URI is refused by GitHub and markdown-it and is kilobytes of
    base64 to a reader, so the chart is an SVG file written beside it (``chart_file``, its name
    relative to the report) or left out. ``chart=False`` leaves it out of either; the stage
    table has the figures."""
    if fmt not in REPORT_FORMATS:
        raise Invalid(f"unknown report format {fmt!r}: use md or html")
    env = _environment(fmt)
    name = "startup" if isinstance(report, StartupReport) else "event"
    template = env.get_template(f"{name}.{fmt}.j2")
    if not chart:
        chart_uri = ""
    elif fmt == "html":
        chart_uri = "data:image/svg+xml;base64," + base64.b64encode(report.chart_svg.encode()).decode()
    else:
        chart_uri = quote(chart_file) if chart_file else ""
    return template.render(r=report, chart_uri=chart_uri, chart_title=report.chart_title, short=SHORT_TABLE)
