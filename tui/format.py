"""How the UI writes money, dates and stages: one place, so every screen agrees."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from rich.text import Text
from textual.content import Content
from textual.fuzzy import Matcher

from ir_pipeline.money import Money, format_symbol
from ir_pipeline.stages import Stage
from ir_pipeline.text import printable

V = TypeVar("V")

STAGE_STYLE = {
    Stage.SOURCED: "dim",
    Stage.PITCHED: "default",
    Stage.LOI: "bold",
    Stage.DILIGENCE: "bold cyan",
    Stage.TERM_SHEET: "bold magenta",
    Stage.FUNDED: "bold green",
    Stage.LOST: "red",
    Stage.ON_HOLD: "yellow",
}


def plain(text: str) -> Content:
    """User text for a widget: shown as typed (never markup), control characters made visible."""
    return Content(printable(text))


def choices(pairs: Iterable[tuple[str, V]]) -> list[tuple[Content, V]]:
    """Options for a ``Select`` whose labels are names: plain text, never markup."""
    return [(plain(label), value) for label, value in pairs]


def highlighted(matcher: Matcher, text: str) -> Content:
    """A palette entry with the matched letters marked. Textual's highlighter reads its input as
    markup, so text with ``[`` in it (a name from outside) is shown plain instead."""
    safe = printable(text)
    return Content(safe) if "[" in safe else matcher.highlight(safe)


def latest_first(note: str) -> str:
    """A follow-up's note on one line, the newest addition first (notes are appended line by line),
    so a note just added is what the cut-off column shows."""
    lines = [line.strip() for line in note.splitlines() if line.strip()]
    return " · ".join(reversed(lines))


def plain_cell(text: str) -> Text:
    """The same, for a table cell (DataTable measures and renders Rich text): one line, and cut
    with ``…`` where the column is narrower, so a shortened name never looks whole."""
    return Text(printable(text), no_wrap=True, overflow="ellipsis")


def money(value: Money | None) -> str:
    return "" if value is None else format_symbol(value)


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()
