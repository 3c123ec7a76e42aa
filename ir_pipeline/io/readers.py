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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from pathlib import Path

from ir_pipeline.errors import Invalid

DELIMITERS = ",;\t"
SNIFF_LINES = 20
#: A CP949 reading whose non-ASCII text is mostly outside KS X 1001 (the 2,350 everyday Hangul
#: syllables, Hanja and symbols) is more likely another encoding's bytes than Korean.
_RARE_SHARE = 0.2
#: Characters enough to judge that share; the whole file is still checked for valid CP949.
_KOREAN_SAMPLE = 50_000
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


HeaderTest = Callable[[list[str]], bool]
#: How many non-empty rows may come before the header (a title, a date, a note).
HEADER_SEARCH = 10


def open_table(path: Path, *, encoding: str | None = None, is_header: HeaderTest | None = None) -> Table:
    """Open a CSV or XLSX file, or raise :class:`Invalid` saying what is wrong with it.

    The header is the first non-empty row, or, with ``is_header``, the first of the first
    :data:`HEADER_SEARCH` non-empty rows it accepts (sheets often carry a title above it)."""
    if not path.exists():
        raise Invalid(f"no such file: {path}")
    if path.is_dir():
        raise Invalid(f"{path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _open_workbook(path, is_header)
    if suffix in (".csv", ".tsv", ".txt", ""):
        return _open_csv(path, encoding, is_header)
    raise Invalid(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx")


def _split_header(
    rows: Iterator[tuple[int, list[str]]], is_header: HeaderTest | None
) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    """The header row's line, its cells, and the data rows after it."""
    seen: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if is_header is None or is_header(cells):
            return line, cells, rows
        seen.append((line, cells))
        if len(seen) >= HEADER_SEARCH:
            break
    if not seen:
        return 0, [], iter(())
    (line, cells), rest = seen[0], seen[1:]
    return line, cells, chain(rest, rows)


# -- decoding ------------------------------------------------------------------------------------


def _first_bad_line(path: Path, encoding: str) -> tuple[int, str] | None:
    """The first physical line that is not valid ``encoding`` text, with the reason; None if none."""
    return _scan(path, encoding)[0]


def _scan(path: Path, encoding: str) -> tuple[tuple[int, str] | None, float]:
    """One pass over the file: the first line that does not decode (with the reason), and the share
    of non-ASCII characters outside KS X 1001 (for CP949; 0 for other encodings).

    Lines are split on ``\n`` bytes, which neither UTF-8 nor CP949 uses inside a character.
    """
    korean = encoding == "cp949"
    non_ascii = rare = 0
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                text = line.decode(encoding)
            except UnicodeDecodeError as error:
                return (number, f"{error.reason} at byte {error.start + 1} of the line"), 0.0
            if korean and non_ascii < _KOREAN_SAMPLE and not line.isascii():
                # what EUC-KR (KS X 1001 alone) cannot hold becomes "?": count those, in C
                non_ascii += len(text) - len(text.encode("ascii", "ignore"))
                rare += text.encode("euc_kr", "replace").count(b"?") - text.count("?")
    return None, (rare / non_ascii if non_ascii else 0.0)


def choose_encoding(path: Path, requested: str | None = None) -> str:
    """The encoding to read ``path`` with, by the rule in the module docstring."""
    if requested:
        try:
            name = codecs.lookup(requested).name
        except LookupError:
            raise Invalid(f"unknown encoding {requested!r}: try utf-8, cp949 or cp1252") from None
        try:  # rot13, base64, zlib … are codecs too, but not text encodings
            b"a".decode(name)
        except LookupError:
            raise Invalid(f"{requested!r} is not a text encoding: try utf-8, cp949 or cp1252") from None
        except UnicodeDecodeError:
            pass  # a text encoding in which one byte is not a whole character (UTF-16)
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
    cp949_bad, rare_share = _scan(path, "cp949")
    if cp949_bad is None and rare_share <= _RARE_SHARE:
        return "cp949"
    candidates = _guesses(path)
    if len(candidates) == 1:
        return candidates[0]
    where = f"line {utf8_bad[0]} is not UTF-8 ({utf8_bad[1]})"
    if cp949_bad is not None:
        where += f" and line {cp949_bad[0]} is not CP949"
        if cp949_bad[0] != utf8_bad[0]:
            where += " (the file mixes encodings)"
    if candidates:
        where += f"; it reads equally well as {' or '.join(candidates)}, which differ"
    raise Invalid(
        f"{path.name}: cannot tell the file's text encoding: {where}; re-save it as UTF-8, "
        "or name its encoding with --encoding"
    )


def _guesses(path: Path) -> list[str]:
    """charset-normalizer's best readings of the whole file: one when it is confident, several when
    encodings that decode the text differently score the same (cp1250 and cp1252 for ``Å``)."""
    from charset_normalizer import from_path

    results = from_path(path)
    best = results.best()
    if best is None or best.chaos > _CONFIDENT_CHAOS:
        return []
    readings: dict[str, str] = {}
    for match in results:
        if match.chaos > best.chaos + 0.01:
            continue
        name = codecs.lookup(match.encoding).name
        if name in ("utf-8", "cp949", "euc_kr") or _first_bad_line(path, name) is not None:
            continue  # already ruled out, or not valid over the whole file
        text = str(match)
        if text not in readings.values():
            readings[name] = text
    return list(readings)


# -- CSV -----------------------------------------------------------------------------------------


class _Lines:
    """The decoded lines of a file, counting them, for ``csv.reader`` to pull from."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.handle = path.open("r", encoding=encoding, newline="")
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self._read()

    def _read(self) -> Iterator[str]:
        # a generator over the file's own line iterator: a Python ``__next__`` calling
        # ``readline`` for every line cost more than the CSV parsing
        for line in self.handle:
            self.count += 1
            yield line

    def close(self) -> None:
        self.handle.close()


def _open_csv(path: Path, requested: str | None, is_header: HeaderTest | None) -> Table:
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
    width = 0

    def records() -> Iterator[tuple[int, list[str]]]:
        start = lines.count + 1
        try:
            for row in reader:
                end = lines.count
                if width and end > start and _runaway_quote(row, width, delimiter):
                    raise Invalid(
                        f"{path.name}, line {start}: a quote opened on this line is not closed until line "
                        f"{end}, so lines {start}–{end} were read as one cell; close or remove the quote"
                    )
                yield start, row
                start = lines.count + 1
        except csv.Error as error:
            if "end of data" in str(error) or lines.count > start:
                raise Invalid(
                    f"{path.name}, line {start}: a quote opened on this line is never closed; "
                    "close or remove it"
                ) from None
            raise Invalid(f"{path.name}, line {start}: bad quoting ({error})") from None

    stream = records()
    try:
        header_line, headers, rest = _split_header(stream, is_header)
    except Invalid:
        lines.close()
        raise
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in rest:
                if "".join(row).strip():  # not a blank row (some cell has more than spaces)
                    yield line, row
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
        whole = exact.to_integral_value()  # no context precision: 1e308 stays whole, 309 digits
        return format(exact, "f") if exact != whole else format(whole, "f")
    return str(value).strip()


def _open_workbook(path: Path, is_header: HeaderTest | None) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        raw_rows = sheet.iter_rows()
    except (CalamineError, OSError, ValueError) as error:
        raise Invalid(f"{path.name} is not a readable workbook ({error})") from None
    except Exception as error:  # calamine raises several of its own types for broken files
        raise Invalid(f"{path.name} is not a readable workbook ({type(error).__name__})") from None
    # calamine yields from the sheet's row 1, empty rows included: the numbers are Excel's
    numbered = ((number, [cell_text(v) for v in raw]) for number, raw in enumerate(raw_rows, start=1))
    header_line, headers, rest = _split_header(numbered, is_header)
    if not headers:
        raise Invalid(f"{path.name}: the first sheet is empty")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in rest:
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
