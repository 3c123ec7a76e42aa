"""The real programs that read irp's files (khal, LibreOffice, Chromium, Node): found on PATH,
or the test is skipped with the command that installs it. CI sets ``IRP_REQUIRE_PROGRAMS=1``
(and ``.ci/run`` installs them), so there a missing program fails the tests instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: CI sets this: a missing program fails its tests there rather than skipping them.
REQUIRED = os.environ.get("IRP_REQUIRE_PROGRAMS") == "1"

#: Each program, the names it goes by, and what installs it on Debian.
PROGRAMS: dict[str, tuple[tuple[str, ...], str]] = {
    "khal": (("khal",), "apt-get install khal"),
    "soffice": (("soffice", "libreoffice"), "apt-get install libreoffice-calc-nogui"),
    "chromium": (("chromium", "chromium-browser"), "apt-get install chromium"),
    "pdfinfo": (("pdfinfo",), "apt-get install poppler-utils"),
    "pdftotext": (("pdftotext",), "apt-get install poppler-utils"),
    "node": (("node",), "apt-get install nodejs npm"),
}


def find(name: str) -> str | None:
    names, _ = PROGRAMS[name]
    return next((path for n in names if (path := shutil.which(n))), None)


def needs(*names: str) -> pytest.MarkDecorator:
    """Skip (outside CI) when any of ``names`` is not installed, saying how to install it."""
    missing = [n for n in names if find(n) is None]
    hint = "; ".join(f"{n}: {PROGRAMS[n][1]}" for n in missing)
    return pytest.mark.skipif(
        bool(missing) and not REQUIRED, reason=f"not installed ({hint}; .ci/run installs them)"
    )


def run(name: str, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run the program; its standard output, or the test fails with what it said."""
    path = find(name)
    assert path is not None, f"IRP_REQUIRE_PROGRAMS is set but {name} is not on PATH"
    result = subprocess.run(
        [path, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=180, check=False
    )
    assert result.returncode == 0, f"{name} {' '.join(args)} failed: {result.stderr[-2000:]}"
    return result.stdout
