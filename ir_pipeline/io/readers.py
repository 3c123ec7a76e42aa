"""Reading the spreadsheets people bring: CSV in any of the encodings Korean Excel writes, or XLSX.

Rows are streamed (never the whole file in memory) as ``(line, {header: text})`` with the line
number a person sees in Excel. Encoding is detected by charset-normalizer from a sample, with a
BOM winning outright; the delimiter is sniffed among comma, semicolon and tab.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from charset_normalizer import from_bytes

from ir_pipeline.errors import Invalid

SAMPLE_BYTES = 256 * 1024
DELIMITERS = ",;\t"


@dataclass(frozen=True, slots=True)
class Table:
    """An open spreadsheet: its header row and a stream of data rows."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None
    delimiter: str | None
    size_bytes: int


def open_table(path: Path) -> Table:
    """Open a CSV or XLSX file, or raise :class:`Invalid` saying what is wrong with it."""
    if not path.exists():
        raise Invalid(f"no such file: {path}")
    if path.is_dir():
        raise Invalid(f"{path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _open_workbook(path)
    if suffix in (".csv", ".tsv", ".txt", ""):
        return _open_csv(path)
    raise Invalid(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx")


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A sample may end inside a multi-byte character: only a clean cut there is still UTF-8.
        if error.start >= len(sample) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    best = from_bytes(sample, cp_isolation=["cp949", "euc_kr", "utf_8", "cp1252", "latin_1"]).best()
    if best is None:
        raise Invalid("cannot tell the file's text encoding: save it as UTF-8 or CP949 CSV")
    encoding = best.encoding
    # CP949 is a superset of EUC-KR: read every Korean Excel file with it.
    return "cp949" if encoding in ("euc_kr", "cp949") else encoding


def _open_csv(path: Path) -> Table:
    size = path.stat().st_size
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Invalid(f"{path.name} is not a text file (is it a spreadsheet saved with a .csv name?)")
    if sample.startswith(b"PK\x03\x04"):
        raise Invalid(f"{path.name} is an XLSX workbook with a .csv name: rename it to .xlsx")
    encoding = detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    delimiter = _sniff_delimiter(text_sample)
    handle = path.open("r", encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise Invalid(f"{path.name} is empty") from None
    except UnicodeDecodeError:
        handle.close()
        raise Invalid(f"{path.name} is not valid {encoding} text") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except UnicodeDecodeError as error:
            raise Invalid(
                f"{path.name}, line {reader.line_num + 1}: not valid {encoding} text ({error.reason})"
            ) from None
        except csv.Error as error:
            raise Invalid(f"{path.name}, line {reader.line_num}: {error}") from None
        finally:
            handle.close()

    return Table(
        headers=[h.strip() for h in headers],
        rows=rows(),
        encoding=encoding,
        delimiter=delimiter,
        size_bytes=size,
    )


def _sniff_delimiter(sample: str) -> str:
    first_lines = "\n".join(sample.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def cell_text(value: object) -> str:
    """A workbook cell as the text a person would type (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        # Excel keeps every number as a binary double; its shortest repr is the figure typed.
        exact = Decimal(repr(value))
        return str(exact.quantize(Decimal(1))) if exact == exact.to_integral_value() else format(exact, "f")
    return str(value).strip()


def _open_workbook(path: Path) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows_iter = iter(sheet.iter_rows())
    except (CalamineError, OSError, ValueError) as error:
        raise Invalid(f"{path.name} is not a readable workbook ({error})") from None
    except Exception as error:  # calamine raises several of its own types for broken files
        raise Invalid(f"{path.name} is not a readable workbook ({type(error).__name__})") from None
    try:
        headers = [cell_text(v) for v in next(rows_iter)]
    except StopIteration:
        raise Invalid(f"{path.name}: the first sheet is empty") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(rows_iter, start=2):
            cells = [cell_text(v) for v in row]
            if any(cells):
                yield number, cells

    return Table(headers=headers, rows=rows(), encoding=None, delimiter=None, size_bytes=path.stat().st_size)
