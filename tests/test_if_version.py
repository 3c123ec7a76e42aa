"""Every CLI edit of a versioned record takes ``--if-version``: a stale one exits 3 and changes
nothing; the current one applies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import fresh_sqlite_url
from tests.test_cli import irp


@pytest.fixture
def demo(sqlite_demo_template: Path, tmp_path: Path) -> str:
    return fresh_sqlite_url(sqlite_demo_template, tmp_path)


def _version(db: str, *show: str) -> int:
    code, out, err = irp(*show, "--json", db=db)
    assert code == 0, err
    data = json.loads(out)
    return int(data["deal"]["version"] if "deal" in data else data["version"])


def _follow_up(db: str, deal: int) -> tuple[int, int]:
    code, out, err = irp("followup", "add", "--deal", str(deal), "--due", "+3d", "--json", db=db)
    assert code == 0, err
    made = json.loads(out)
    return int(made["id"]), int(made["version"])


@pytest.mark.parametrize(
    "command",
    [
        ["deal", "move", "7", "diligence"],
        ["deal", "edit", "7", "--owner", "minji"],
        ["funding", "add", "--deal", "17", "--amount", "20억", "--closed", "2026-11-20"],
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_deal_edits_refuse_a_stale_version(demo: str, command: list[str]) -> None:
    deal = command[2] if command[0] == "deal" else command[3]
    now = _version(demo, "deal", "show", deal)
    assert irp("deal", "edit", deal, "--notes", "someone else was here", db=demo)[0] == 0
    code, _, err = irp(*command, "--if-version", str(now), db=demo)
    assert code == 3 and err.count("\n") == 1, err
    assert irp(*command, "--if-version", str(now + 1), db=demo)[0] == 0


@pytest.mark.parametrize("verb", ["done", "cancel", "snooze", "share", "unshare"])
def test_follow_up_edits_refuse_a_stale_version(demo: str, verb: str) -> None:
    ident, version = _follow_up(demo, 7)
    assert irp("followup", "share", str(ident), db=demo)[0] == 0  # someone else saves it
    code, _, err = irp("followup", verb, str(ident), "--if-version", str(version), db=demo)
    assert code == 3 and err.count("\n") == 1, err
    assert irp("followup", verb, str(ident), "--if-version", str(version + 1), db=demo)[0] == 0


def test_reopen_and_revert_refuse_a_stale_version(demo: str) -> None:
    ident, version = _follow_up(demo, 7)
    assert irp("followup", "done", str(ident), db=demo)[0] == 0
    code, _, _ = irp("followup", "reopen", str(ident), "--if-version", str(version), db=demo)
    assert code == 3
    assert irp("followup", "reopen", str(ident), "--if-version", str(version + 1), db=demo)[0] == 0
    assert irp("deal", "move", "7", "diligence", db=demo)[0] == 0
    now = _version(demo, "deal", "show", "7")
    assert irp("deal", "revert", "7", "--if-version", str(now - 1), db=demo)[0] == 3
    assert irp("deal", "revert", "7", "--if-version", str(now), db=demo)[0] == 0
