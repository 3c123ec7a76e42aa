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

from tui.format import plain_cell


class FittedTable(DataTable[Any]):
    def __init__(self, *, flexible: dict[str, int], **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.flexible = flexible

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        """Add a row; string cells are names and notes from outside, shown as typed, never markup."""
        return super().add_row(*(plain_cell(c) if isinstance(c, str) else c for c in cells), **kwargs)

    def add_fitted_columns(self, *columns: tuple[str, str]) -> None:
        """Add ``(label, key)`` columns; flexible ones start narrow and are sized by :meth:`fit`."""
        for label, key in columns:
            if key in self.flexible:
                self.add_column(label, key=key, width=len(label))
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
        """Set every column's width now: figures to their widest cell, names by weight.

        DataTable would otherwise measure columns lazily, on its next idle, so a screen could be
        drawn for a moment with a header narrower than its cells. Widths set here are final.
        """
        width = self.size.width or self.app.size.width
        available = width - 2  # room for the vertical scrollbar
        pad = 2 * self.cell_padding
        columns = list(self.columns.values())
        natural = {c.key: self._natural_width(c.key) for c in columns}
        flexible = [c for c in columns if str(c.key.value) in self.flexible]
        widths = {c.key: natural[c.key] for c in columns if c not in flexible}
        rest = max(0, available - sum(w + pad for w in widths.values()) - pad * len(flexible))
        pending = list(flexible)
        while pending:  # columns that need less than their share give the rest to the others
            weight = sum(self.flexible[str(c.key.value)] for c in pending)
            satisfied = [
                c for c in pending if natural[c.key] <= rest * self.flexible[str(c.key.value)] // weight
            ]
            if not satisfied:
                for c in pending:
                    widths[c.key] = rest * self.flexible[str(c.key.value)] // weight
                break
            for c in satisfied:
                widths[c.key] = natural[c.key]
                rest -= natural[c.key]
                pending.remove(c)
        changed = False
        for column in columns:
            if column.width != widths[column.key] or column.auto_width:
                column.width = widths[column.key]
                column.auto_width = False
                changed = True
        if changed:
            self._clear_caches()
            self._require_update_dimensions = True
            self.refresh(layout=True)
