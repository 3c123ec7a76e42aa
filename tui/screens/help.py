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


#: What the palette key does, said once (Textual names it "palette").
PALETTE = "Command palette: jump to a startup, investor or deal; switch user"


def _declared_by_irp(node: object, binding: Binding) -> bool:
    """Whether one of irp's own widget classes declares ``binding`` (not one it inherits from a
    Textual widget: a table's cursor keys are the table's, on every screen)."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("tui."):
            continue
        for declared in vars(cls).get("BINDINGS", ()):
            if isinstance(declared, Binding) and declared.action == binding.action:
                return True
    return False


def keys_of(screen: Screen[object]) -> list[tuple[str, str]]:
    """``(key, what it does)`` for every key irp binds that works on ``screen`` now: the screen's
    own first (its widgets' too), then the app's, each action once, a shown key over a hidden twin
    (``q`` over ``ctrl+z``'s kind). Textual's own keys (focus, copy, a table's cursor) work the
    same everywhere: they are left out."""
    app = screen.app
    own: dict[str, tuple[str, bool]] = {}
    everywhere: dict[str, tuple[str, bool]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = PALETTE if key == app.COMMAND_PALETTE_BINDING else binding.description
        if not active.enabled or not description:
            continue
        if key != app.COMMAND_PALETTE_BINDING and not _declared_by_irp(active.node, binding):
            continue  # Textual's own (focus, copy, a table's cursor): the same on every screen
        target = everywhere if active.node is app else own
        known = own.get(description) or everywhere.get(description)
        if known is not None and (known[1] or not binding.show):
            continue  # already listed, by a key at least as visible
        own.pop(description, None)
        everywhere.pop(description, None)
        target[description] = (key_label(key), binding.show)
    if PALETTE not in everywhere and app.ENABLE_COMMAND_PALETTE:
        everywhere[PALETTE] = (key_label(app.COMMAND_PALETTE_BINDING), True)
    return [(key, description) for description, (key, _shown) in [*own.items(), *everywhere.items()]]


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
        with VerticalScroll(id="help"):
            yield Static(Text(f"Help · {self.heading}", style="bold"), classes="headline")
            yield Static(plain(reflow(self.text)), id="help-text")
            yield Static(Text("Keys", style="bold"), classes="section")
            yield Static(table, id="help-keys")
            yield Static(Text("esc closes this help", style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
