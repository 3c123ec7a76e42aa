"""How ``irp`` prints: JSON for scripts, Rich tables for people, one line on stderr for errors."""

from __future__ import annotations

import json
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ir_pipeline.money import Money, format_symbol
from ir_pipeline.views import jsonable


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), ensure_ascii=False, indent=2))


def money(value: Money | None) -> str:
    return "" if value is None else format_symbol(value)


#: Columns that may wrap when the terminal is narrow; every other column (ids, dates, stages,
#: figures) keeps its full width, because a cut-off number is a wrong number.
FLEXIBLE = frozenset(
    {
        "Startup",
        "Investor",
        "Name",
        "Note",
        "Reason",
        "Organisation",
        "Event",
        "Venue",
        "Organiser",
        "Sector",
        "Conditions",
        "Owner",
        "E-mail",
        "By",
        "Old",
        "New",
    }
)


def table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold", expand=False)
    for name in columns:
        t.add_column(name, justify="right" if name in right else "left", no_wrap=name not in FLEXIBLE)
    return t


def print_table(t: Table) -> None:
    """Print a table, pinning the width of every column that must not be cut."""
    for column in t.columns:
        if column.no_wrap:
            cells = [column.header, *column.cells]
            column.min_width = max(cell_len(c.plain if isinstance(c, Text) else str(c)) for c in cells)
    console().print(t)
