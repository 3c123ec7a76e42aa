"""A DataTable whose name columns share the width left by the figures, so nothing scrolls sideways.

Figures, dates and stages keep their natural width (a cut-off number is a wrong number); the
columns named ``flexible`` (startup, investor, note, ...) divide the rest by weight. When that
leaves a name column narrower than ``minimum`` (an 80×24 terminal), the columns named in ``drop``
give way, first to last, and come back when there is room: a screen shows what they held on its
detail line (:attr:`FittedTable.hidden` says which are out).
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
    def __init__(
        self,
        *,
        flexible: dict[str, int],
        drop: tuple[str, ...] = (),
        minimum: int = 16,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.flexible = flexible
        self.drop = drop
        self.minimum = minimum
        #: The columns given way for room, in the order they went.
        self.hidden: tuple[str, ...] = ()
        self._spec: list[tuple[str, str]] = []
        #: Every row as added, all its cells: what a column coming back is filled from.
        self._kept: list[tuple[str | None, tuple[Any, ...], dict[str, Any]]] = []

    def add_row(self, *cells: Any, key: str | None = None, **kwargs: Any) -> Any:
        """Add a row; string cells are names and notes from outside, shown as typed, never markup."""
        shown = tuple(plain_cell(c) if isinstance(c, str) else c for c in cells)
        if self.drop:
            self._kept.append((key, shown, kwargs))
        return super().add_row(*self._visible(shown), key=key, **kwargs)

    def clear(self, columns: bool = False) -> Any:
        self._kept.clear()
        if columns:
            self._spec, self.hidden = [], ()
        return super().clear(columns)

    def _visible(self, cells: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.hidden or not self._spec:
            return cells
        return tuple(c for (_label, key), c in zip(self._spec, cells, strict=False) if key not in self.hidden)

    def add_fitted_columns(self, *columns: tuple[str, str]) -> None:
        """Add ``(label, key)`` columns; flexible ones start narrow and are sized by :meth:`fit`."""
        self._spec = list(columns)
        self._add_columns()

    def _add_columns(self) -> None:
        for label, key in self._spec:
            if key in self.hidden:
                continue
            if key in self.flexible:
                self.add_column(label, key=key, width=len(label))
            else:
                self.add_column(label, key=key)

    def _hide(self, hidden: tuple[str, ...]) -> None:
        """Show every column but ``hidden``: the table again from the rows it keeps, the cursor
        on the same row."""
        row, kept = self.cursor_row, list(self._kept)
        super().clear(columns=True)
        self.hidden = hidden
        self._add_columns()
        for key, cells, kwargs in kept:
            super().add_row(*self._visible(cells), key=key, **kwargs)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def _kept_widths(self) -> dict[str, int]:
        """Every column's widest cell (or label) over the rows kept, the hidden ones too: read once
        per fit, whichever columns are then tried out."""
        widths = {key: cell_len(label) for label, key in self._spec}
        for _key, cells, _kwargs in self._kept:
            for (_label, key), cell in zip(self._spec, cells, strict=False):
                widths[key] = max(widths[key], cell_len(cell.plain if isinstance(cell, Text) else str(cell)))
        return widths

    def _room(self, width: int, hidden: tuple[str, ...], natural: dict[str, int]) -> int:
        """The width each flexible column would get with ``hidden`` out (with none: what is left)."""
        pad = 2 * self.cell_padding
        shown = [k for _label, k in self._spec if k not in hidden]
        fixed = sum(pad + natural[k] for k in shown if k not in self.flexible)
        flexible = [k for k in shown if k in self.flexible]
        return (width - 2 - fixed - pad * len(flexible)) // max(1, len(flexible))

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
        if self.drop and self._spec:
            hidden: tuple[str, ...] = ()
            kept_widths = self._kept_widths()
            for key in self.drop:
                # names keep their minimum; a table of figures alone just has to fit
                need = self.minimum if set(self.flexible) - set(hidden) else 0
                if self._room(width, hidden, kept_widths) >= need:
                    break
                hidden = (*hidden, key)
            if hidden != self.hidden:
                self._hide(hidden)
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
