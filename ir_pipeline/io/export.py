"""Exports people can open in Excel and import back: CSV (UTF-8 with BOM), XLSX and JSON.

Every export goes through the role-scoped queries, page by page, so a startup user exports only
its own data and a large pipeline never sits in memory at once. Column names are the ones the
importer reads, which is what makes export → import a round trip.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.errors import Invalid
from ir_pipeline.io.sheet_kinds import EXPORT_KINDS, build_sheet
from ir_pipeline.io.sheets import Amount, ExportCell, Percent, Sheet
from ir_pipeline.money import minor_digits
from ir_pipeline.views import jsonable

__all__ = ["EXPORT_KINDS", "FORMATS", "Amount", "Percent", "Sheet", "build_sheet", "export"]

FORMATS = ("csv", "xlsx", "json", "ics")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """OWASP CSV-injection defence: text that a spreadsheet would run as a formula gets a quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
