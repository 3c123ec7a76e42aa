"""The footer every screen shows: Textual's own, redrawn only when the keys it shows change.

Textual's ``Footer`` rebuilds all of its key widgets (and styles each one) on every
``bindings_updated_signal``, and a screen publishes that signal for each focus change and each
step of its screen stack: opening the pipeline rebuilt an unchanged footer six times, a fifth of
a second before the first rows were painted. This footer keeps what it last showed and skips a
rebuild that would show the same keys.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


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
        return (bindings, self.compact, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
