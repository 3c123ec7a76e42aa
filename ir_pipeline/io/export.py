"""Exports people can open in Excel and import back: CSV (UTF-8 with BOM), XLSX and JSON.

Every export goes through the role-scoped queries, page by page, so a startup user exports only
its own data and a large pipeline never sits in memory at once. Column names are the ones the
importer reads, which is what makes export → import a round trip.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today
from ir_pipeline.errors import Invalid
from ir_pipeline.fx.converted import Converted
from ir_pipeline.io.columns import SNAPSHOT_HEADERS
from ir_pipeline.money import Totals, minor_digits
from ir_pipeline.queries.deals import list_deals
from ir_pipeline.queries.followups import follow_up_queue
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.queries.lois import loi_page
from ir_pipeline.queries.records import list_events, list_investors, list_startups
from ir_pipeline.views import DealRow, FollowUpView, LoiView, jsonable

PAGE = 5_000
FORMATS = ("csv", "xlsx", "json", "ics")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def neutralise(text: str) -> str:
    """OWASP CSV-injection defence: text that a spreadsheet would run as a formula gets a quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _paged(fetch: Callable[[int], list[Any]]) -> Iterator[Any]:
    """Pages by offset: for the records (startups, investors, events), a few thousand at most."""
    offset = 0
    while True:
        page = fetch(offset)
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def _walked(fetch: Callable[[str | None], tuple[list[Any], str | None]]) -> Iterator[Any]:
    """Pages by keyset cursor: for the pipeline's large tables, where page 200 of a million rows
    must cost what page 1 does (an offset would read every row it skips, on every page)."""
    after: str | None = None
    while True:
        rows, after = fetch(after)
        yield from rows
        if after is None:
            return


def _loi_page(session: Session, actor: Actor, after: str | None) -> tuple[list[LoiView], str | None]:
    page = loi_page(session, actor=actor, after=after, limit=PAGE, oldest_first=True)
    return page.rows, page.next_after


def _deal_page(session: Session, actor: Actor, after: str | None) -> tuple[list[DealRow], str | None]:
    page = list_deals(session, actor=actor, after=after, limit=PAGE)
    return page.rows, page.next_after


def _follow_up_page(
    session: Session, actor: Actor, today: date, after: str | None
) -> tuple[list[FollowUpView], str | None]:
    page = follow_up_queue(session, actor=actor, today=today, include_closed=True, after=after, limit=PAGE)
    return page.items, page.next_after


def _converted_cells(converted: Converted | None) -> list[ExportCell]:
    if converted is None:
        return [None, "", ""]
    return [Amount(converted.amount.amount, converted.currency), converted.currency, converted.excluding()]


def _currencies(*totals: Totals) -> list[str]:
    """Every currency the funnel holds, the won first, then by code: one column each."""
    found = {currency for total in totals for currency in total}
    return sorted(found, key=lambda c: (c != "KRW", c))


def _money_cells(total: Totals, currencies: list[str]) -> list[ExportCell]:
    return [Amount(total[c].amount, c) if c in total else None for c in currencies]


def _funnel_sheet(session: Session, *, actor: Actor, base: str | None) -> Sheet:
    """One row per stage, each currency in its own column (``amount_KRW``, ``amount_USD``…), so
    a column's sum is a total: the deals of every stage add up to the pipeline's deals, and no
    figure is written twice. The LOI total and the money funded, which are not stages, are a
    second sheet (``totals``) of the XLSX; ``irp funnel --json`` has them for programs."""
    result = funnel(session, actor=actor, base=base)
    lois, funded = result.lois, result.funded
    currencies = _currencies(*(s.amount for s in result.stages), lois.total, funded.total)
    money = [f"amount_{c}" for c in currencies]
    converted = ["converted", "converted_currency", "not_converted"]
    stages = [
        [
            s.stage.value,
            s.deals,
            s.reached,
            Percent(s.conversion) if s.conversion is not None else None,
            s.dropped,
            s.lost_from,
            *_money_cells(s.amount, currencies),
            *_converted_cells(s.converted),
        ]
        for s in result.stages
    ]
    totals = [
        [
            "lois_total",
            result.deals,
            *_money_cells(lois.total, currencies),
            *_converted_cells(lois.converted),
        ],
        [
            "funded_money",
            funded.deals,
            *_money_cells(funded.total, currencies),
            *_converted_cells(funded.converted),
        ],
    ]
    totals_sheet = Sheet("totals", ["figure", "deals", *money, *converted], iter(totals), "Funnel totals")
    headers = ["stage", "deals", "reached", "conversion", "dropped", "lost_from", *money, *converted]
    return Sheet("funnel", headers, iter(stages), "Funnel by stage", more=(totals_sheet,))


def build_sheet(session: Session, *, actor: Actor, kind: str, base: str | None = None) -> Sheet:
    """The rows of one export, as a lazy stream over paged queries."""
    if kind == "events":
        return Sheet(
            "events",
            ["name", "starts_on", "ends_on", "venue", "organiser"],
            (
                [e.name, e.starts_on, e.ends_on, e.venue, e.organiser]
                for e in _paged(lambda o: list_events(session, actor=actor, offset=o, limit=PAGE))
            ),
            "Events",
        )
    if kind == "startups":
        return Sheet(
            "startups",
            ["name", "sector", "business_no", "description"],
            (
                [s.name, s.sector, s.business_no or "", s.description]
                for s in _paged(lambda o: list_startups(session, actor=actor, offset=o, limit=PAGE))
            ),
            "Startups",
        )
    if kind == "investors":
        return Sheet(
            "investors",
            ["name", "kind", "country"],
            (
                [i.name, i.kind.value, i.country]
                for i in _paged(lambda o: list_investors(session, actor=actor, offset=o, limit=PAGE))
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
                for x in _walked(lambda after: _loi_page(session, actor, after))
            ),
            "Letters of intent",
        )
    if kind == "deals":
        headers = [
            "id",
            "startup",
            "investor",
            "event",
            "stage",
            "last_loi",
            "currency",
            "next_follow_up",
            "owner",
        ]
        return Sheet(
            "deals",
            headers,
            (
                [
                    d.id,
                    d.startup,
                    d.investor,
                    d.event or "",
                    d.stage.value,
                    Amount(d.last_loi.amount, d.last_loi.currency) if d.last_loi else None,
                    d.last_loi.currency if d.last_loi else "",
                    d.next_follow_up,
                    d.owner,
                ]
                for d in _walked(lambda after: _deal_page(session, actor, after))
            ),
            "Deals",
        )
    if kind == "followups":
        headers = ["startup", "investor", "due_on", "owner", "channel", "note", "status"]
        today = local_today()
        return Sheet(
            "followups",
            headers,
            (
                [f.startup, f.investor, f.due_on, f.owner, f.channel.value, f.note, f.status.value]
                for f in _walked(lambda after: _follow_up_page(session, actor, today, after))
            ),
            "Follow-ups",
        )
    if kind == "funnel":
        return _funnel_sheet(session, actor=actor, base=base)
    raise Invalid(f"cannot export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}")


EXPORT_KINDS = ("events", "startups", "investors", "deals", "lois", "followups", "funnel")


def _plain(cell: ExportCell) -> Any:
    if isinstance(cell, Percent):
        return format(cell.value, "f")
    if isinstance(cell, Amount):
        return format(cell.value, "f")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return cell


def write_csv(sheet: Sheet, out: IO[str]) -> int:
    """CSV with a BOM (so Excel reads Korean) and formula-neutralised text cells."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    count = 0
    for row in sheet.rows:
        writer.writerow(
            ["" if c is None else (neutralise(c) if isinstance(c, str) else _plain(c)) for c in row]
        )
        count += 1
    return count


def write_json(sheet: Sheet, out: IO[str]) -> int:
    out.write("[")
    count = 0
    for row in sheet.rows:
        record = {h: jsonable(_plain(c)) for h, c in zip(sheet.headers, row, strict=True)}
        out.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def currency_format(currency: str) -> str:
    """An Excel number format showing the currency: ``"₩"#,##0``, ``"$"#,##0.00``, ``#,##0.00 "EUR"``."""
    symbols = {"KRW": "₩", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
    digits = minor_digits(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    symbol = symbols.get(currency)
    return f'"{symbol}"{number}' if symbol else f'{number} "{currency}"'


#: Rows measured to fit the column widths (write-only sheets take widths before the first row).
WIDTH_SAMPLE = 2_000
MIN_WIDTH, MAX_WIDTH = 6, 60


def _display_width(value: ExportCell) -> int:
    """How wide a cell shows in a spreadsheet, in character cells (Korean and CJK count double)."""
    from rich.cells import cell_len

    if value is None:
        return 0
    if isinstance(value, Amount):
        digits = minor_digits(value.currency)
        return len(f"{value.value:,.{digits}f}") + 4  # the currency symbol or code and a margin
    if isinstance(value, date):
        return 10
    if isinstance(value, Percent):
        return 7
    if isinstance(value, str):
        return max((cell_len(line) for line in value.split("\n")), default=0)
    return len(str(value))


def fitted_widths(headers: list[str], rows: list[list[ExportCell]]) -> list[float]:
    """Column widths that show every sampled value whole (no ``###``), within sane bounds."""
    widths = [_display_width(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def write_xlsx(sheet: Sheet, path: Path) -> int:
    """Typed cells: amounts are numbers with a currency format, ratios percentages, dates are
    dates, text is text (a cell typed as a string is never a formula, so it needs no leading
    quote) and wraps when it has several lines; columns are as wide as their contents, the header
    row is frozen, and each sheet prints landscape, fitted to the page's width, its header row
    repeated on every page under a title (:mod:`ir_pipeline.io.workbook`)."""
    from ir_pipeline.io.workbook import write_workbook

    with path.open("wb") as out:  # fails before any work when the place cannot be written
        return write_workbook([sheet, *sheet.more], out)


def export(
    session: Session, *, actor: Actor, kind: str, fmt: str, out: Path | IO[str], base: str | None = None
) -> int:
    """Write one export; returns the number of data rows. ``base`` is the currency the funnel's
    converted figures are in (the base currency by default)."""
    if fmt not in FORMATS:
        raise Invalid(f"unknown format {fmt!r}: use csv, xlsx, json, or ics for follow-ups")
    if fmt == "ics":
        if kind != "followups":
            raise Invalid("ics (a calendar) is for follow-ups: irp export followups --format ics")
        from ir_pipeline.clock import local_today
        from ir_pipeline.io.calendar import write_ics

        if isinstance(out, Path):
            with out.open("w", encoding="utf-8", newline="") as handle:
                return write_ics(session, actor=actor, today=local_today(), out=handle)
        return write_ics(session, actor=actor, today=local_today(), out=out)
    sheet = build_sheet(session, actor=actor, kind=kind, base=base)
    if fmt == "xlsx":
        if not isinstance(out, Path):
            raise Invalid("an XLSX export needs --out FILE")
        return write_xlsx(sheet, out)
    writer = write_csv if fmt == "csv" else write_json
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8", newline="") as handle:
            return writer(sheet, handle)
    return writer(sheet, out)
