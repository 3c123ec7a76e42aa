"""``?`` / ``F1``: what the screen underneath does, its keys and what its columns mean.

The keys are read from the screen's own active bindings when help is asked for (so the list is
never out of date and shows only what this user may do here); the prose is the screen's ``HELP``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.format import plain

#: Key names as they appear on a keyboard.
_KEY_NAMES = {
    "escape": "esc",
    "slash": "/",
    "dollar_sign": "$",
    "question_mark": "?",
    "backspace": "⌫",
    "enter": "enter",
    "ctrl+p": "ctrl+p",
}


def reflow(text: str) -> str:
    """A ``HELP`` docstring as paragraphs: lines joined, blank lines kept between paragraphs."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def key_label(key: str) -> str:
    return _KEY_NAMES.get(key, key)


def keys_of(screen: Screen[object]) -> list[tuple[str, str]]:
    """``(key, what it does)`` for every binding with a description that works on ``screen`` now."""
    seen: dict[str, str] = {}
    for key, active in screen.active_bindings.items():
        if not active.enabled or not active.binding.description:
            continue
        seen.setdefault(active.binding.description, key_label(key))
    return [(key, description) for description, key in seen.items()]


class HelpScreen(ModalScreen[None]):
    """Help for one screen; ``esc``, ``?`` or ``q`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("f1", "dismiss", "Close", show=False),
    ]

    def __init__(self, title: str, text: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.heading = title
        self.text = text
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, description in self.keys:
            table.add_row(key, description)
        table.add_row("ctrl+p", "Command palette: jump to a startup, investor or deal; switch user")
        with VerticalScroll(id="help"):
            yield Static(Text(f"Help · {self.heading}", style="bold"), classes="headline")
            yield Static(plain(reflow(self.text)), id="help-text")
            yield Static(Text("Keys", style="bold"), classes="section")
            yield Static(table, id="help-keys")
            yield Static(Text("esc closes this help", style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
