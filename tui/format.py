"""How the UI writes money, dates and stages: one place, so every screen agrees."""

from __future__ import annotations

from datetime import date

from ir_pipeline.money import Money, format_symbol
from ir_pipeline.stages import Stage

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


def money(value: Money | None) -> str:
    return "" if value is None else format_symbol(value)


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()
