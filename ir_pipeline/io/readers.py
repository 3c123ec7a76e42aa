"""Reading the spreadsheets people bring: CSV in the encodings Korean Excel writes, or XLSX.

Rows are streamed as ``(line, cells)`` where ``line`` is always the file's own: the physical line
a text editor shows for CSV (the line a record *starts* on, even when a quoted cell spans several),
the row number Excel shows for a workbook.

One decoding rule, checked over the whole file rather than a sample, so a late Korean row can
neither be garbled nor be reported at the wrong line:

1. a BOM decides (UTF-8 or UTF-16);
2. otherwise strict UTF-8;
3. otherwise strict CP949 (the EUC-KR superset Korean Excel writes), when its text reads as
   Korean rather than as bytes of another encoding that CP949 happens to accept;
4. otherwise charset-normalizer, only when it is confident;
5. otherwise a refusal naming the first line that fails, and ``--encoding`` as the way out.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ir_pipeline.errors import Invalid

DELIMITERS = ",;\t"
SNIFF_LINES = 20
#: A CP949 reading whose non-ASCII text is mostly outside KS X 1001 (the 2,350 everyday Hangul
#: syllables, Hanja and symbols) is more likely another encoding's bytes than Korean.
_RARE_SHARE = 0.2
#: charset-normalizer's "mess" ratio at or below which its guess is trusted.
_CONFIDENT_CHAOS = 0.05


@dataclass(frozen=True, slots=True)
class Table:
    """An open spreadsheet: its header row and a stream of data rows."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None
    delimiter: str | None
    size_bytes: int
    header_line: int = 1


def open_table(path: Path, *, encoding: str | None = None) -> Table:
    """Open a CSV or XLSX file, or raise :class:`Invalid` saying what is wrong with it."""
    if not path.exists():
        raise Invalid(f"no such file: {path}")
    if path.is_dir():
        raise Invalid(f"{path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _open_workbook(path)
    if suffix in (".csv", ".tsv", ".txt", ""):
        return _open_csv(path, encoding)
    raise Invalid(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx")


# -- decoding ------------------------------------------------------------------------------------


def _first_bad_line(path: Path, encoding: str) -> tuple[int, str] | None:
    """The first physical line that is not valid ``encoding`` text, with the reason; None if none.

    Lines are split on ``\\n`` bytes, which neither UTF-8 nor CP949 uses inside a character.
    """
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as error:
                return number, f"{error.reason} at byte {error.start + 1} of the line"
    return None


def _reads_as_korean(path: Path) -> bool:
    """Whether a file that decodes as CP949 holds Korean text, not another encoding's accents."""
    non_ascii = rare = 0
    with path.open("rb") as raw:
        for line in raw:
            if line.isascii():
                continue
            for char in line.decode("cp949"):
                if ord(char) < 128:
                    continue
                non_ascii += 1
                try:
                    char.encode("euc_kr")
                except UnicodeEncodeError:
                    rare += 1
    return non_ascii == 0 or rare / non_ascii <= _RARE_SHARE


def choose_encoding(path: Path, requested: str | None = None) -> str:
    """The encoding to read ``path`` with, by the rule in the module docstring."""
    if requested:
        try:
            name = codecs.lookup(requested).name
        except LookupError:
            raise Invalid(f"unknown encoding {requested!r}: try utf-8, cp949 or cp1252") from None
        bad = _first_bad_line(path, name)
        if bad is not None:
            raise Invalid(f"{path.name}, line {bad[0]}: not valid {requested} text ({bad[1]})")
        return name
    with path.open("rb") as raw:
        head = raw.read(4)
    if head.startswith(codecs.BOM_UTF8):
        bad = _first_bad_line(path, "utf-8")
        if bad is not None:
            raise Invalid(
                f"{path.name}, line {bad[0]}: not valid UTF-8 text ({bad[1]}), although the file starts "
                "as UTF-8: re-save that line, or pass --encoding"
            )
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf8_bad = _first_bad_line(path, "utf-8")
    if utf8_bad is None:
        return "utf-8"
    cp949_bad = _first_bad_line(path, "cp949")
    if cp949_bad is None and _reads_as_korean(path):
        return "cp949"
    guess = _confident_guess(path)
    if guess is not None:
        return guess
    where = f"line {utf8_bad[0]} is not UTF-8 ({utf8_bad[1]})"
    if cp949_bad is not None:
        where += f" and line {cp949_bad[0]} is not CP949"
        if cp949_bad[0] != utf8_bad[0]:
            where += " (the file mixes encodings)"
    raise Invalid(
        f"{path.name}: cannot tell the file's text encoding: {where}; re-save it as UTF-8, "
        "or name its encoding with --encoding"
    )


def _confident_guess(path: Path) -> str | None:
    from charset_normalizer import from_path

    best = from_path(path).best()
    if best is None or best.chaos > _CONFIDENT_CHAOS:
        return None
    name = codecs.lookup(best.encoding).name
    if name in ("utf-8", "cp949", "euc_kr") or _first_bad_line(path, name) is not None:
        return None  # already ruled out, or not valid over the whole file
    return name


# -- CSV -----------------------------------------------------------------------------------------


class _Lines:
    """The decoded lines of a file, counting them, for ``csv.reader`` to pull from."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.handle = path.open("r", encoding=encoding, newline="")
        self.count = 0
        self.last = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.handle.readline()
        if not line:
            raise StopIteration
        self.count += 1
        self.last = line
        return line

    def close(self) -> None:
        self.handle.close()


def _open_csv(path: Path, requested: str | None) -> Table:
    size = path.stat().st_size
    with path.open("rb") as raw:
        head = raw.read(64 * 1024)
    if head.startswith(b"PK\x03\x04"):
        raise Invalid(f"{path.name} is an XLSX workbook with a .csv name: rename it to .xlsx")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Invalid(f"{path.name} is not a text file (is it a spreadsheet saved with a .csv name?)")
    encoding = choose_encoding(path, requested)
    lines = _Lines(path, encoding)
    sample: list[str] = []
    for line in lines:
        sample.append(line)
        if len(sample) >= SNIFF_LINES:
            break
    lines.close()
    if not any(line.strip() for line in sample):
        raise Invalid(f"{path.name} is empty")
    delimiter = _sniff_delimiter(sample)

    lines = _Lines(path, encoding)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header_line = 0
    headers: list[str] = []
    try:
        for headers in reader:
            header_line = lines.count
            if any(cell.strip() for cell in headers):
                break
    except csv.Error as error:
        lines.close()
        raise Invalid(f"{path.name}, line {lines.count}: the header row has bad quoting ({error})") from None
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = lines.count + 1
        try:
            for row in reader:
                end = lines.count
                if end > start and _runaway_quote(row, width, delimiter):
                    raise Invalid(
                        f"{path.name}, line {start}: a quote opened on this line is not closed until line "
                        f"{end}, so lines {start}–{end} were read as one cell; close or remove the quote"
                    )
                if any(cell.strip() for cell in row):
                    yield start, row
                start = lines.count + 1
        except csv.Error as error:
            if "end of data" in str(error) or lines.count > start:
                raise Invalid(
                    f"{path.name}, line {start}: a quote opened on this line is never closed; "
                    "close or remove it"
                ) from None
            raise Invalid(f"{path.name}, line {start}: bad quoting ({error})") from None
        finally:
            lines.close()

    return Table(
        headers=[h.strip() for h in headers],
        rows=rows(),
        encoding=encoding,
        delimiter=delimiter,
        size_bytes=size,
        header_line=header_line,
    )


def _runaway_quote(row: list[str], width: int, delimiter: str) -> bool:
    """A record over several lines that looks like rows swallowed by an unclosed quote: it has the
    wrong number of cells, or a cell whose inner lines each look like a row of the file."""
    if len(row) != width:
        return True
    if width < 3:
        return False
    for cell in row:
        inner = cell.split("\n")[1:]
        if inner and any(line.count(delimiter) >= width - 1 for line in inner):
            return True
    return False


def _sniff_delimiter(sample: list[str]) -> str:
    text = "".join(sample)
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = next((line for line in sample if line.strip()), "")
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# -- workbooks -----------------------------------------------------------------------------------


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
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        # Excel keeps every number as a binary double; its shortest repr is the figure typed.
        exact = Decimal(repr(value))
        return format(exact, "f") if exact != exact.to_integral_value() else format(exact.quantize(1), "f")
    return str(value).strip()


def _open_workbook(path: Path) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows_iter = enumerate(sheet.iter_rows(), start=1)  # calamine yields from the sheet's row 1
    except (CalamineError, OSError, ValueError) as error:
        raise Invalid(f"{path.name} is not a readable workbook ({error})") from None
    except Exception as error:  # calamine raises several of its own types for broken files
        raise Invalid(f"{path.name} is not a readable workbook ({type(error).__name__})") from None
    headers: list[str] = []
    header_line = 0
    for number, raw in rows_iter:
        headers, header_line = [cell_text(v) for v in raw], number
        if any(headers):
            break
    if not any(headers):
        raise Invalid(f"{path.name}: the first sheet is empty")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in rows_iter:
            cells = [cell_text(v) for v in row]
            if any(cells):
                yield number, cells

    return Table(
        headers=headers,
        rows=rows(),
        encoding=None,
        delimiter=None,
        size_bytes=path.stat().st_size,
        header_line=header_line,
    )
