"""How the UI writes money, dates and stages: one place, so every screen agrees."""

from __future__ import annotations

from datetime import date

from ir_pipeline.money import Money, Totals, format_korean, format_symbol
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


def money_both(value: Money) -> str:
    return f"{format_symbol(value)} · {format_korean(value)}"


def totals(value: Totals, *, korean: bool = True) -> str:
    """Per-currency totals, never added across currencies."""
    if not value:
        return "—"
    return "; ".join(money_both(value[c]) if korean else format_symbol(value[c]) for c in value)


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()
