"""The README's examples, run in order as a new user would paste them, against a fresh demo.

Every fenced ``sh`` block made only of ``irp`` commands is run line by line (comments dropped,
``> file`` honoured) in an empty folder with its own data directory and home; each line must exit
0. Blocks that need a server or a shell (PostgreSQL set-up, ``export``, ``psql``) and the two set-up
commands at the top are left to CI and to people.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ir_pipeline.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        lines = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
        lines = [line for line in lines if line and not line.startswith("#")]
        if lines and all(line.startswith("irp ") for line in lines):
            if any("postgresql://" in line for line in lines):
                continue  # needs a team server
            commands.extend(lines)
    return commands


def test_the_readme_shows_examples() -> None:
    commands = readme_commands()
    assert commands[0] == "irp demo" and len(commands) >= 20


def test_readme_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path))
    for line in readme_commands():
        argv = shlex.split(line)[1:]
        out_file = None
        if ">" in argv:
            at = argv.index(">")
            argv, out_file = argv[:at], argv[at + 1]
        argv = [str(Path(a).expanduser()) if a.startswith("~/") else a for a in argv]
        result = runner.invoke(app, argv)
        assert result.exception is None or isinstance(result.exception, SystemExit), (line, result.exception)
        assert result.exit_code == 0, f"{line}\n{result.stdout}{result.stderr}"
        if out_file is not None:
            (work / out_file).write_text(result.stdout, encoding="utf-8")
