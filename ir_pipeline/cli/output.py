"""How ``irp`` prints: JSON for scripts, Rich tables for people, one line on stderr for errors.

Names and notes come from outside, so nothing here lets them act on the terminal: plain strings
are printed as text (never Rich markup, so ``[bold]`` in a name is shown as typed), and control
characters (ESC, BEL, OSC sequences, bidi overrides) are shown as ``\x1b``-style text.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ir_pipeline.cli.plain import echo, json_text, print_json, standard_output
from ir_pipeline.money import Money, format_symbol
from ir_pipeline.text import printable

__all__ = ["echo", "json_text", "print_json", "standard_output"]


def safe(value: RenderableType) -> RenderableType:
    """A cell or line to print: strings become plain (unstyled, escaped) text."""
    return Text(printable(value)) if isinstance(value, str) else value


class SafeConsole(Console):
    """A console for which a string is always text, never markup or terminal control."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(safe(o) for o in objects), **kwargs)


class SafeTable(Table):
    """A table whose string cells are plain, escaped text."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(None if r is None else safe(r) for r in renderables), **kwargs)


#: Output into a pipe or file is not cut to a terminal's width: it is as wide as it needs.
PIPE_WIDTH = 400


def console() -> SafeConsole:
    out = SafeConsole(highlight=False, soft_wrap=False)
    if not out.is_terminal:
        out = SafeConsole(highlight=False, soft_wrap=False, width=PIPE_WIDTH)
    return out


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


def table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()) -> SafeTable:
    t = SafeTable(title=title, title_justify="left", header_style="bold", expand=False)
    for name in columns:
        t.add_column(name, justify="right" if name in right else "left", no_wrap=name not in FLEXIBLE)
    return t


def _pin_widths(t: Table) -> None:
    for column in t.columns:
        if column.no_wrap:
            cells = [column.header, *column.cells]
            column.min_width = max(cell_len(c.plain if isinstance(c, Text) else str(c)) for c in cells)


def print_table(t: Table) -> None:
    """Print a table, pinning the width of every column that must not be cut."""
    _pin_widths(t)
    console().print(t)


def print_side_by_side(left: Table, right: Table) -> None:
    """Two tables about the same rows (their first column) as one, when the terminal is wide enough
    for it, or one after the other: figures are never cut to fit."""
    out = console()
    columns = [*left.columns, *right.columns[1:]]
    joined = table(
        *(str(c.header) for c in columns),
        right=tuple(str(c.header) for c in columns if c.justify == "right"),
    )
    for row_left, row_right in zip(_rows(left), _rows(right), strict=True):
        joined.add_row(*row_left, *row_right[1:])
    _pin_widths(joined)
    needed = sum(c.min_width or 0 for c in joined.columns) + 3 * len(joined.columns) + 1  # cells + rules
    if needed <= out.width:
        out.print(joined)
        return
    print_table(left)
    print_table(right)


def _rows(t: Table) -> list[list[Any]]:
    columns = [list(c.cells) for c in t.columns]
    return [list(row) for row in zip(*columns, strict=True)]
