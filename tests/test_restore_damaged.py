"""A backup restores over a damaged database: truncated, header overwritten, emptied or gone,
the original rows come back, the damaged file is kept and named, and ``irp db check`` tells."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import fresh_sqlite_url
from tests.test_cli import irp


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"this is no longer a database!!!!")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _delete(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize("damage", [_truncate, _header, _empty, _delete], ids=lambda f: f.__name__[1:])
def test_a_backup_restores_over_a_damaged_database(
    sqlite_demo_template: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    url = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    database = Path(url.removeprefix("sqlite:///"))
    _, before, _ = irp("deal", "list", "--json", "--limit", "1000", db=url)
    code, out, _ = irp("db", "backup", db=url)  # where irp keeps them, beside the database
    assert code == 0 and out.startswith("Backup written to ")
    backup = Path(out.removeprefix("Backup written to ").strip())
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    damage(database)
    if damage is not _delete:
        # the next command refuses, and points the way (an emptied file is not taken for a new one)
        code, _, err = irp("deal", "list", db=url)
        assert code == 1 and err.count("\n") == 1, err
        assert ("irp db check" in err) if damage is not _empty else (f"irp db restore {backup}" in err)
        code, out, err = irp("db", "check", db=url)
        assert code == 1 and "is damaged" in err and err.count("\n") == 1
    code, out, err = irp("db", "restore", str(backup), "--yes", db=url)
    assert code == 0, err
    if damage is not _delete:
        kept = [p for p in tmp_path.glob("irp.damaged-*.sqlite3")]
        assert len(kept) == 1 and str(kept[0]) in err
    _, after, _ = irp("deal", "list", "--json", "--limit", "1000", db=url)
    assert json.loads(after) == json.loads(before)
    assert irp("db", "check", db=url)[0] == 0
    code, out, _ = irp("audit", "--json", "--limit", "1", db=url)
    assert code == 0 and "restored" in out


def test_a_manager_may_not_restore_even_over_a_damaged_file(
    sqlite_demo_template: Path, tmp_path: Path
) -> None:
    url = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    code, out, _ = irp("db", "backup", db=url)  # where irp keeps them, beside the database
    assert code == 0 and out.startswith("Backup written to ")
    backup = Path(out.removeprefix("Backup written to ").strip())
    _truncate(Path(url.removeprefix("sqlite:///")))
    code, _, err = irp("--as", "manager", "db", "restore", str(backup), "--yes", db=url)
    assert code == 1 and "only staff" in err
    assert not list(tmp_path.glob("irp.damaged-*"))  # refused before anything moved
