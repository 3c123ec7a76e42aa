"""The README's key table is held to the live bindings: every key it lists for a screen is bound
there (a key the README promises and the screen lacks is a trap a new user walks into)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from tui.app import IrpApp
from tui.forms.base import FormScreen
from tui.screens.deal import DealScreen
from tui.screens.followups import FollowUpsScreen
from tui.screens.pipeline import PipelineScreen
from tui.screens.records import RecordsScreen

README = Path(__file__).resolve().parents[2] / "README.md"
WHERE = {
    "pipeline": PipelineScreen,
    "deal": DealScreen,
    "follow-ups": FollowUpsScreen,
    "records": RecordsScreen,
    "everywhere": IrpApp,
    "forms": FormScreen,
    "after a one-key change": IrpApp,
}
#: How the README writes a key → how Textual names it.
NAMES = {
    "⌫": "backspace",
    "$": "dollar_sign",
    "/": "slash",
    "?": "question_mark",
    "esc": "escape",
    "]": "right_square_bracket",
    "[": "left_square_bracket",
    "F1": "f1",
    "O": "O",
    "S": "S",
}


def _bound(cls: type) -> set[str]:
    keys: set[str] = set()
    for klass in cls.__mro__:
        for b in getattr(klass, "BINDINGS", []):
            if isinstance(b, Binding):
                keys.update(k.strip() for k in b.key.split(","))
            elif isinstance(b, tuple):
                keys.update(k.strip() for k in str(b[0]).split(","))
    return keys


def _table() -> list[tuple[list[str], list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The terminal UI", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        keys = re.findall(r"`([^`]+)`", cells[0])
        if "–" in cells[0]:  # `1`–`5`
            keys = [str(n) for n in range(int(keys[0]), int(keys[1]) + 1)]
        rows.append((keys, [w.strip() for w in cells[1].split(",")]))
    return rows


def test_every_key_in_the_readme_is_bound_where_it_says() -> None:
    rows = _table()
    assert len(rows) >= 10
    checked = 0
    for keys, places in rows:
        for place in places:
            cls = WHERE.get(place)
            if cls is None:  # "tables", "after an export": not one screen's bindings
                continue
            bound = _bound(cls) | _bound(IrpApp) | {IrpApp.COMMAND_PALETTE_BINDING}
            for key in keys:
                assert NAMES.get(key, key) in bound, f"README: `{key}` on {place}, not bound there"
                checked += 1
    assert checked >= 25
