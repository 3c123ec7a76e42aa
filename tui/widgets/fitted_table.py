"""A DataTable whose name columns share the width left by the figures, so nothing scrolls sideways.

Figures, dates and stages keep their natural width (a cut-off number is a wrong number); the
columns named ``flexible`` (startup, investor, note, ...) divide the rest by weight.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

MIN_FLEX = 8


class FittedTable(DataTable[Any]):
    def __init__(self, *, flexible: dict[str, int], **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.flexible = flexible

    def add_fitted_columns(self, *columns: tuple[str, str]) -> None:
        """Add ``(label, key)`` columns; flexible ones start narrow and are sized by :meth:`fit`."""
        for label, key in columns:
            if key in self.flexible:
                self.add_column(label, key=key, width=MIN_FLEX)
            else:
                self.add_column(label, key=key)

    def _natural_width(self, key: ColumnKey) -> int:
        """The widest cell of a column (what it would take without squeezing)."""
        widest = cell_len(str(self.columns[key].label))
        for value in self.get_column(key):
            text = value.plain if isinstance(value, Text) else str(value)
            widest = max(widest, cell_len(text))
        return widest

    def on_resize(self, event: events.Resize) -> None:
        self.fit()

    def fit(self) -> None:
        width = self.size.width or self.app.size.width
        available = width - 2  # room for the vertical scrollbar
        fixed = sum(
            c.get_render_width(self) for c in self.columns.values() if str(c.key.value) not in self.flexible
        )
        flex_columns = [c for c in self.columns.values() if str(c.key.value) in self.flexible]
        if not flex_columns:
            return
        rest = available - fixed - 2 * self.cell_padding * len(flex_columns)
        total_weight = sum(self.flexible[str(c.key.value)] for c in flex_columns)
        changed = False
        for column in flex_columns:
            # a name column shrinks to MIN_FLEX, and gives way entirely only when figures need the room
            share = max(
                MIN_FLEX if rest >= MIN_FLEX * len(flex_columns) else 0,
                rest * self.flexible[str(column.key.value)] // total_weight,
            )
            share = min(share, self._natural_width(column.key))
            if column.width != share or column.auto_width:
                column.width = share
                column.auto_width = False
                changed = True
        if changed:
            self._require_update_dimensions = True
            self.refresh()
