"""The footer every screen shows: Textual's own, fitted to the width, redrawn only when the keys it
shows change.

At 80 columns the keys of a screen and the app do not all fit, and Textual's footer then lets the
last ones run under the palette hint (``? Help`` and ``q Quit`` fell off, and a stray letter was
painted after ``^p palette``). This footer shows whole keys only: ``? Help``, ``q Quit`` and the
palette hint always, then the screen's own keys, then the app's others as they fit.

Textual's ``Footer`` rebuilds all of its key widgets (and styles each one) on every
``bindings_updated_signal``, and a screen publishes that signal for each focus change and each
step of its screen stack: opening the pipeline rebuilt an unchanged footer six times, a fifth of
a second before the first rows were painted. This footer keeps what it last showed and skips a
rebuild that would show the same keys.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

#: The app's keys the footer never drops.
ALWAYS = ("help", "quit")


def key_width(widget: Widget) -> int:
    """The cells a compact footer key takes: key, space, description, and its one-cell margin."""
    display, description = getattr(widget, "key_display", ""), getattr(widget, "description", "")
    return cell_len(display) + (1 + cell_len(description) if description else 0) + 1


def fitting(
    own: Iterable[Widget], app_keys: Iterable[Widget], always: Iterable[Widget], width: int
) -> list[Widget]:
    """The keys that fit in ``width`` cells, whole: ``always`` first in the budget, then the
    screen's ``own`` in order, then the app's others; shown as own, app's, always."""
    always = list(always)
    room = width - sum(key_width(w) for w in always)
    chosen: list[Widget] = []
    for widget in [*own, *app_keys]:
        if key_width(widget) <= room:
            chosen.append(widget)
            room -= key_width(widget)
    return chosen + always


class KeysFooter(Footer):
    """A compact :class:`~textual.widgets.Footer` that skips rebuilds showing the same keys."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: Hashable | None = None

    def _keys(self) -> Hashable:
        """Everything ``Footer.compose`` reads: the screen's active bindings as they stand (key,
        label, action, whether enabled, tooltip, group), the style and the palette key."""
        bindings = tuple(
            (
                binding.key,
                binding.key_display,
                binding.description,
                binding.action,
                binding.show,
                binding.tooltip,
                None if binding.group is None else binding.group.description,
                enabled,
                tooltip,
            )
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )
        return (
            bindings,
            self.compact,
            self.show_command_palette,
            self.app.ENABLE_COMMAND_PALETTE,
            self.app.size.width,
        )

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = [w for w in widgets if w not in palette]
        owner: dict[str, Any] = {key: active.node for key, active in self.screen.active_bindings.items()}
        mine = [w for w in keys if owner.get(getattr(w, "key", "")) is not self.app]
        always = [w for w in keys if w not in mine and getattr(w, "action", "") in ALWAYS]
        others = [w for w in keys if w not in mine and w not in always]
        # the palette hint is docked right behind a one-cell rule
        width = self.app.size.width - sum(key_width(w) + 1 for w in palette)
        yield from fitting(mine, others, always, width)
        yield from palette

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
