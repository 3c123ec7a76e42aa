"""Each kind of export as a sheet: the columns the importer reads back, rows from the
role-scoped queries, page by page."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today, to_local
from ir_pipeline.errors import Invalid
from ir_pipeline.io import sheets
from ir_pipeline.io.columns import SNAPSHOT_HEADERS
from ir_pipeline.io.funnel_sheet import funnel_sheet
from ir_pipeline.io.sheets import (
    Amount,
    ExportCell,
    Sheet,
    deal_rows,
    follow_up_rows,
    loi_rows,
    paged,
    walked,
)
from ir_pipeline.queries.recorded import RecordedFacts, deal_facts, funding_rows
from ir_pipeline.queries.records import list_events, list_investors, list_startups


def build_sheet(session: Session, *, actor: Actor, kind: str, base: str | None = None) -> Sheet:
    """The rows of one export, as a lazy stream over paged queries."""
    if kind == "events":
        return Sheet(
            "events",
            ["name", "starts_on", "ends_on", "venue", "organiser"],
            (
                [e.name, e.starts_on, e.ends_on, e.venue, e.organiser]
                for e in paged(
                    lambda o: list_events(
                        session, actor=actor, offset=o, limit=sheets.PAGE, recorded_order=True
                    )
                )
            ),
            "Events",
        )
    if kind == "startups":
        return Sheet(
            "startups",
            ["name", "sector", "business_no", "description"],
            (
                [s.name, s.sector, s.business_no or "", s.description]
                for s in paged(
                    lambda o: list_startups(
                        session, actor=actor, offset=o, limit=sheets.PAGE, recorded_order=True
                    )
                )
            ),
            "Startups",
        )
    if kind == "investors":
        return Sheet(
            "investors",
            ["name", "kind", "country"],
            (
                [i.name, i.kind.value, i.country]
                for i in paged(
                    lambda o: list_investors(
                        session, actor=actor, offset=o, limit=sheets.PAGE, recorded_order=True
                    )
                )
            ),
            "Investors",
        )
    if kind == "lois":
        headers = [
            "startup",
            "investor",
            "amount",
            "currency",
            "amount_max",
            "instrument",
            "received_on",
            "valid_until",
            "status",
            "conditions",
            "event",
            # the rate snapshot (not read back by an import: a record takes its own when saved)
            *SNAPSHOT_HEADERS,
        ]
        return Sheet(
            "lois",
            headers,
            (
                [
                    x.startup,
                    x.investor,
                    Amount(x.amount.amount, x.amount.currency),
                    x.amount.currency,
                    Amount(x.amount_max.amount, x.amount_max.currency) if x.amount_max else None,
                    x.instrument.value,
                    x.received_on,
                    x.valid_until,
                    x.status.value,
                    x.conditions,
                    x.event or "",
                    Amount(x.converted.amount, x.converted.currency) if x.converted else None,
                    x.converted.currency if x.converted else "",
                    x.fx_rate,
                    x.fx_day,
                    x.fx_source or "",
                ]
                for x in walked(lambda after: loi_rows(session, actor, after))
            ),
            "Letters of intent",
        )
    if kind == "deals":
        return _deals_sheet(session, actor)
    if kind == "fundings":
        return _fundings_sheet(session, actor)
    if kind == "followups":
        headers = ["startup", "investor", "due_on", "owner", "channel", "note", "status"]
        today = local_today()
        return Sheet(
            "followups",
            headers,
            (
                [f.startup, f.investor, f.due_on, f.owner, f.channel.value, f.note, f.status.value]
                for f in walked(lambda after: follow_up_rows(session, actor, today, after))
            ),
            "Follow-ups",
        )
    if kind == "funnel":
        return funnel_sheet(session, actor=actor, base=base)
    raise Invalid(f"cannot export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}")


EXPORT_KINDS = ("events", "startups", "investors", "deals", "lois", "fundings", "followups", "funnel")


#: A deal's columns: what ``irp import deals`` reads (its stage since that stage's date, what it
#: reached, where a lost one was lost from and why), then what the import derives again.
DEAL_HEADERS = [
    "id",
    "startup",
    "investor",
    "event",
    "stage",
    "stage_date",
    "reached",
    "lost_from",
    "lost_reason",
    "owner",
    "last_loi",
    "currency",
    "next_follow_up",
]


def _deals_sheet(session: Session, actor: Actor) -> Sheet:
    def rows() -> Iterator[list[ExportCell]]:
        after: str | None = None
        while True:
            page, after = deal_rows(session, actor, after)
            facts = deal_facts(session, actor=actor, ids=[d.id for d in page])
            for d in page:
                f = facts.get(d.id) or RecordedFacts(None, None, "")
                yield [
                    d.id,
                    d.startup,
                    d.investor,
                    d.event or "",
                    d.stage.value,
                    to_local(d.stage_changed_at).date(),
                    f.reached.value if f.reached else "",
                    f.lost_from.value if f.lost_from else "",
                    f.lost_reason,
                    d.owner,
                    Amount(d.last_loi.amount, d.last_loi.currency) if d.last_loi else None,
                    d.last_loi.currency if d.last_loi else "",
                    d.next_follow_up,
                ]
            if after is None:
                return

    return Sheet("deals", DEAL_HEADERS, rows(), "Deals")


def _fundings_sheet(session: Session, actor: Actor) -> Sheet:
    headers = ["startup", "investor", "amount", "currency", "instrument", "closed_on", *SNAPSHOT_HEADERS]
    return Sheet(
        "fundings",
        headers,
        (
            [
                f.startup,
                f.investor,
                Amount(f.amount.amount, f.amount.currency),
                f.amount.currency,
                f.instrument.value,
                f.closed_on,
                Amount(f.converted.amount, f.converted.currency) if f.converted else None,
                f.converted.currency if f.converted else "",
                f.fx_rate,
                f.fx_day,
                f.fx_source or "",
            ]
            for f in walked(lambda after: funding_rows(session, actor=actor, after=after, limit=sheets.PAGE))
        ),
        "Fundings",
    )
