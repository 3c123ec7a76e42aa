"""Horizontal bars for the funnel: one line per stage, figures beside the bar."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from ir_pipeline.fx.converted import ranked_cell
from ir_pipeline.queries.funnel import StageFigures
from tui.format import STAGE_STYLE


class FunnelBars(Widget):
    """Bars scaled to the widest stage; they shrink with the terminal, figures never do."""

    DEFAULT_CSS = "FunnelBars { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stages: list[StageFigures] = []

    def update_figures(self, stages: list[StageFigures]) -> None:
        self.stages = stages
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        table = Table.grid(padding=(0, 1))
        table.add_column("stage", width=10, no_wrap=True)
        table.add_column("bar", no_wrap=True)
        table.add_column("deals", justify="right", width=4, no_wrap=True)
        table.add_column("amount", justify="right", no_wrap=True)
        table.add_column("next", justify="right", no_wrap=True)
        widest = max((s.deals for s in self.stages), default=0) or 1
        amounts = [self._amount(s) for s in self.stages]
        amount_width = max((len(a) for a in amounts), default=0)
        # label 10, deals 4, conversion 6, four one-cell gaps: the bar gets what is left
        bar_width = max(4, self.size.width - 10 - 4 - amount_width - 6 - 4)
        for s in self.stages:
            length = round(bar_width * s.deals / widest)
            bar = Text("█" * length + "·" * (bar_width - length), style=STAGE_STYLE[s.stage] or "bold")
            bar.stylize("dim", length)
            conversion = "" if s.conversion is None else f"→ {s.conversion * 100:.0f}%"
            table.add_row(
                Text(s.stage.label, style=STAGE_STYLE[s.stage]),
                bar,
                str(s.deals),
                self._amount(s),
                conversion,
            )
        return table

    @staticmethod
    def _amount(s: StageFigures) -> str:
        """The stage's LOI amount, as on every row (the money received is the headline's): one
        long cell would take the bars' width at 80 columns."""
        return ranked_cell(s.amount, s.converted, korean=False) if s.amount else ""

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self.stages))
