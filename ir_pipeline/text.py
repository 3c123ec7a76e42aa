"""Text from outside: names, notes and anything else a person or a file typed.

Names are one line of visible text: control characters (ESC, BEL, the C1 range) and the bidi
overrides that reorder what a reader sees are refused, because a name travels into terminals,
spreadsheets and reports that others open. Free text (notes, conditions) keeps its line breaks
and tabs and loses every other control character. Lengths are checked here against the column,
so the database never truncates or refuses what a person typed. For output, :func:`printable`
makes text that came in before these rules (or straight into the database) harmless on a terminal.
"""

from __future__ import annotations

import re
import unicodedata

from ir_pipeline.errors import Invalid

#: C0 and C1 controls except tab, line feed and carriage return, DEL, and the bidi controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
#: Free text has no natural limit in the database (TEXT); this one keeps a pasted file out.
FREE_TEXT_LENGTH = 20_000


def _describe(char: str) -> str:
    name = unicodedata.name(char, "") or {"\x1b": "ESCAPE", "\x07": "BELL"}.get(char, "control character")
    return f"U+{ord(char):04X} {name}".strip()


def one_line(value: str | None, *, field: str, what: str, max_length: int, required: bool = False) -> str:
    """A name or a short field: visible characters, single spaces, within ``max_length``."""
    text = value or ""
    if not text and not required:
        return ""
    bad = _CONTROL.search(text)
    if bad:
        raise Invalid(
            f"{what} contains an invisible control character ({_describe(bad.group())}): remove it",
            field=field,
        )
    cleaned = " ".join(text.split())
    if required and not cleaned:
        raise Invalid(f"{what} must not be empty", field=field)
    if len(cleaned) > max_length:
        raise Invalid(f"{what} is {len(cleaned)} characters long; at most {max_length} fit", field=field)
    return cleaned


def free_text(value: str | None, *, field: str, what: str, max_length: int = FREE_TEXT_LENGTH) -> str:
    """Notes and conditions: line breaks kept, other control characters dropped, length bounded."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", text).strip()
    if len(cleaned) > max_length:
        raise Invalid(f"{what} is {len(cleaned)} characters long; at most {max_length} fit", field=field)
    return cleaned


def excerpt(text: str, limit: int = 40) -> str:
    """What an error message quotes back of something typed: at most ``limit`` characters, so a
    pasted page or a 10,000-digit number makes a one-line message, not a screenful."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` safe to print on a terminal: every control character shown as ``\\x1b``-style text."""
    pattern = _CONTROL if keep_newlines else _ANY_CONTROL
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def like_pattern(text: str, *, escape: str = "\\") -> str:
    """A ``LIKE`` pattern matching ``text`` anywhere, with ``%``, ``_`` and the escape taken literally."""
    escaped = text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
    return f"%{escaped}%"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 investor``, ``2 investors``, ``1,234 deals``: counts in English, right every time."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
