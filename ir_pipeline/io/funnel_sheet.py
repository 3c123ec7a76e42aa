"""The funnel as an export: a row per stage with a column per currency, and its totals."""

from __future__ import annotations

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.io.sheets import Amount, ExportCell, Percent, Sheet, converted_cells
from ir_pipeline.money import Totals
from ir_pipeline.queries.funnel import funnel


def _currencies(*totals: Totals) -> list[str]:
    """Every currency the funnel holds, the won first, then by code: one column each."""
    found = {currency for total in totals for currency in total}
    return sorted(found, key=lambda c: (c != "KRW", c))


def _money_cells(total: Totals, currencies: list[str]) -> list[ExportCell]:
    return [Amount(total[c].amount, c) if c in total else None for c in currencies]


def funnel_sheet(session: Session, *, actor: Actor, base: str | None) -> Sheet:
    """One row per stage, each currency in its own column (``amount_KRW``, ``amount_USD``…), so
    a column's sum is a total: the deals of every stage add up to the pipeline's deals, and no
    figure is written twice. The LOI total and the money funded, which are not stages, are a
    second sheet (``totals``) of the XLSX; ``irp funnel --json`` has them for programs."""
    result = funnel(session, actor=actor, base=base)
    lois, funded = result.lois, result.funded
    currencies = _currencies(*(s.amount for s in result.stages), lois.total, funded.total)
    money = [f"amount_{c}" for c in currencies]
    converted = ["converted", "converted_currency", "not_converted"]
    stages = [
        [
            s.stage.value,
            s.deals,
            s.reached,
            Percent(s.conversion) if s.conversion is not None else None,
            s.dropped,
            s.lost_from,
            *_money_cells(s.amount, currencies),
            *converted_cells(s.converted),
        ]
        for s in result.stages
    ]
    totals = [
        [
            "lois_total",
            result.deals,
            *_money_cells(lois.total, currencies),
            *converted_cells(lois.converted),
        ],
        [
            "funded_money",
            funded.deals,
            *_money_cells(funded.total, currencies),
            *converted_cells(funded.converted),
        ],
    ]
    totals_sheet = Sheet("totals", ["figure", "deals", *money, *converted], iter(totals), "Funnel totals")
    headers = ["stage", "deals", "reached", "conversion", "dropped", "lost_from", *money, *converted]
    return Sheet("funnel", headers, iter(stages), "Funnel by stage", more=(totals_sheet,))
