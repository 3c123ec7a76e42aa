"""How the UI writes money, dates and stages: one place, so every screen agrees."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from ir_pipeline.money import Money, format_symbol
from ir_pipeline.stages import Stage
from ir_pipeline.text import printable

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


def plain(text: str) -> Text:
    """User text for a widget: shown as typed (never markup), control characters made visible."""
    return Text(printable(text))


def money(value: Money | None) -> str:
    return "" if value is None else format_symbol(value)


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()
