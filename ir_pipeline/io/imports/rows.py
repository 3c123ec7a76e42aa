"""Reading a file's rows for an import: each row's cells by field, every problem with its line and
column, and the report of what an import did (or would do, on a dry run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

from ir_pipeline.errors import Invalid, IrpError
from ir_pipeline.io.columns import label
from ir_pipeline.text import plural

T = TypeVar("T")

MAX_PROBLEMS = 1_000


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    encoding: str | None = None
    committed: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    #: What a person should know of an import that went through (a funded deal waiting for its
    #: fundings' file), one line each.
    notes: list[str] = field(default_factory=list)

    def add_problem(self, line: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, column, message))
        else:
            self.more_problems += 1

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems


class ImportRejected(Invalid):
    """The file has problems; nothing was written. ``report`` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{report.file}: {plural(report.problem_count, 'problem')} in {plural(report.rows, 'row')}; "
            "nothing was imported"
        )
        self.report = report


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class RowErrors(Exception):
    """Every problem of one row, so a person fixes the row once."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class Checks:
    """Runs each field's check, keeping the value or the problem, and raises them all at once."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def __call__(self, check: Callable[[], T], default: T) -> T:
        try:
            return check()
        except RowError as error:
            self.errors.append(error)
        except IrpError as error:
            self.errors.append(RowError(self.row.field_column(error.field), str(error)))
        return default

    def done(self) -> None:
        if self.errors:
            # left to right, as the person reads the row
            headers = self.row.headers
            self.errors.sort(key=lambda e: headers.index(e.column) if e.column in headers else len(headers))
            raise RowErrors(self.errors)


Progress = Callable[[int, int], None]  # (rows done, bytes total) → None


def clean_cell(value: str) -> str:
    """A cell as a field's text: trimmed, and without the formula neutralisation our own exports
    apply (``'=…``), so exports import back unchanged."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        value = value[1:]
    return value


@dataclass(slots=True)
class Row:
    line: int
    cells: list[str]
    columns: dict[str, int]
    headers: list[str]
    kind: str

    def text(self, key: str) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return ""
        return clean_cell(self.cells[index])

    def column(self, key: str) -> str:
        return label(self.kind, key, self.headers, self.columns.get(key))

    def field_column(self, field: str | None) -> str:
        """The header (as the file wrote it) for a service error's field, when the file has it."""
        if not field:
            return ""
        return self.column(field) if field in self.columns else field

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise RowError(self.column(key), "is empty")
        return value

    def parse(self, key: str, parser: Callable[[str], Any]) -> Any:
        value = self.text(key)
        if not value:
            return None
        try:
            return parser(value)
        except Invalid as error:
            raise RowError(self.column(key), str(error)) from None


def cell_picker(columns: dict[str, int], keys: tuple[str, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """Reads the cells of those of ``keys`` the file has, as it wrote them ("" past a short row's
    end): what a row's fields are read from, so rows with the same cells read the same. Built
    once per file; a full row is read by ``itemgetter`` at C speed (it runs for every row)."""
    indexes = tuple(columns[k] for k in keys if k in columns)
    width = max(indexes, default=-1) + 1
    get = itemgetter(*indexes) if len(indexes) > 1 else (lambda cells: tuple(cells[i] for i in indexes))

    def pick(cells: list[str]) -> tuple[str, ...]:
        if len(cells) >= width:
            return get(cells)
        return tuple(cells[i] if i < len(cells) else "" for i in indexes)

    return pick
