"""``--if-version``: every CLI edit of a versioned record may name the version it started from.

A script (or a person who read ``… show --json``) passes the ``version`` it saw; if anyone saved
the record since, the edit is refused with who changed what and exit code 3, and nothing changes.
"""

from __future__ import annotations

from typing import Annotated

import typer

IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        min=1,
        help="Refuse (exit 3) if the record was saved since this version (from `show --json`).",
    ),
]
