"""Output without Rich: JSON for scripts and one-line messages, for the commands and paths that
print nothing else (``--json``, errors), so they start without loading Rich.

Names and notes come from outside: control characters (ESC, BEL, OSC sequences, bidi overrides)
are shown as ``\\x1b``-style text on a terminal and escaped in JSON.
"""

from __future__ import annotations

import io
import json
import re
import sys
from typing import Any, TextIO, cast

import typer

from ir_pipeline.text import printable
from ir_pipeline.views import jsonable


class _ShownText(io.TextIOBase):
    """Standard output, when a person reads it on a terminal: control characters made visible."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._stream.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def standard_output() -> TextIO:
    """Where data goes without ``--out``: as it is into a pipe or file, made harmless on a terminal."""
    stream = sys.stdout
    return cast(TextIO, _ShownText(stream)) if stream.isatty() else stream


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """One message, with any control character in it made visible."""
    typer.echo(printable(text), err=err, nl=nl)


# JSON escapes C0 controls itself; the C1 range and bidi controls it would pass through raw.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_text(value: Any) -> str:
    text = json.dumps(jsonable(value), ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(value: Any) -> None:
    print(json_text(value))
