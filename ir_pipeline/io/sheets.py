"""What an export is made of: typed cells, sheets of rows streamed from paged queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.fx.converted import Converted
from ir_pipeline.queries.deals import list_deals
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.queries.lois import loi_page
from ir_pipeline.views import DealRow, FollowUpView, LoiView

PAGE = 5_000

#: A cell: text, a whole number, an amount (value, currency), or a date.
Cell = str | int | Decimal | date | None


@dataclass(frozen=True, slots=True)
class Amount:
    """A money cell: typed as a number in XLSX with its currency's format."""

    value: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Percent:
    """A ratio (0.9412): a number shown as 94.1% in XLSX, the ratio itself in CSV and JSON."""

    value: Decimal


ExportCell = Cell | Amount | Percent


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    headers: list[str]
    rows: Iterator[list[ExportCell]]
    #: What a printed page says at its top (the XLSX header); the sheet's name when empty.
    title: str = ""
    #: More sheets of the same export, in an XLSX only (CSV and JSON hold one table).
    more: tuple[Sheet, ...] = ()


def paged(fetch: Callable[[int], list[Any]]) -> Iterator[Any]:
    """Pages by offset: for the records (startups, investors, events), a few thousand at most."""
    offset = 0
    while True:
        page = fetch(offset)
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def walked(fetch: Callable[[str | None], tuple[list[Any], str | None]]) -> Iterator[Any]:
    """Pages by keyset cursor: for the pipeline's large tables, where page 200 of a million rows
    must cost what page 1 does (an offset would read every row it skips, on every page)."""
    after: str | None = None
    while True:
        rows, after = fetch(after)
        yield from rows
        if after is None:
            return


def loi_rows(session: Session, actor: Actor, after: str | None) -> tuple[list[LoiView], str | None]:
    page = loi_page(session, actor=actor, after=after, limit=PAGE, oldest_first=True)
    return page.rows, page.next_after


def deal_rows(session: Session, actor: Actor, after: str | None) -> tuple[list[DealRow], str | None]:
    page = list_deals(session, actor=actor, after=after, limit=PAGE)
    return page.rows, page.next_after


def follow_up_rows(
    session: Session, actor: Actor, today: date, after: str | None
) -> tuple[list[FollowUpView], str | None]:
    page = follow_up_queue(session, actor=actor, today=today, include_closed=True, after=after, limit=PAGE)
    return page.items, page.next_after


def converted_cells(converted: Converted | None) -> list[ExportCell]:
    if converted is None:
        return [None, "", ""]
    return [Amount(converted.amount.amount, converted.currency), converted.currency, converted.excluding()]
