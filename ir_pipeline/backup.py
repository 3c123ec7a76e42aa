"""Backups of the embedded SQLite database, taken with SQLite's online backup API.

The backup API copies a consistent snapshot page by page while other connections keep working
(WAL included), which a file copy cannot promise. Every destructive command writes one first;
``irp db restore`` puts one back (after backing up what it replaces).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from ir_pipeline.clock import utcnow
from ir_pipeline.db import backend_name, normalise_url
from ir_pipeline.errors import DatabaseUnavailable, Invalid


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL, or :class:`Invalid` for any other database."""
    parsed = make_url(normalise_url(url))
    if backend_name(url) != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise Invalid(
            "backups are for the embedded SQLite database; back up PostgreSQL with pg_dump"
            " (e.g. pg_dump -Fc DBNAME > irp.dump)"
        )
    return Path(parsed.database).expanduser()


def default_backup_path(database: Path) -> Path:
    """A dated file beside the database, never one that exists (two in one second get -2, -3…)."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return _unused(database.parent / "backups" / f"{database.stem}-{stamp}.sqlite3")


def _unused(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


#: What :func:`damage` says of a database file that is not there at all.
MISSING = "there is no file"


def damage(url: str) -> str | None:
    """What is wrong with the SQLite file at ``url`` (``None``: it opens and passes SQLite's own
    check). A damaged file cannot be backed up or asked who may act; ``irp db restore`` moves it
    aside instead, and ``irp db check`` reports it."""
    database = sqlite_path(url)
    if not database.exists():
        return MISSING
    if database.stat().st_size == 0:
        return "the file is empty"
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as con:
            row = con.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as error:
        return str(error)
    if not row or row[0] != "ok":
        return f"SQLite's check fails: {row[0] if row else 'no answer'}"
    return None


def newest_backup(database: Path) -> Path | None:
    """The newest of the backups irp wrote beside ``database`` (its ``backups`` folder)."""
    found = sorted(
        (database.parent / "backups").glob(f"{database.stem}-*.sqlite3"), key=lambda p: p.stat().st_mtime
    )
    return found[-1] if found else None


def set_aside(url: str) -> Path:
    """Move a damaged database (and its WAL and shared-memory files) aside, kept for whoever
    wants to look at it; returns where it went."""
    database = sqlite_path(url)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = _unused(database.with_name(f"{database.stem}.damaged-{stamp}{database.suffix}"))
    for suffix in ("-wal", "-shm"):
        side = Path(f"{database}{suffix}")
        if side.exists():
            side.replace(Path(f"{target}{suffix}"))
    if database.exists():
        database.replace(target)
    return target


def _copy(source: Path, target: Path) -> None:
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error as error:
        raise DatabaseUnavailable(f"cannot copy {source} to {target}: {error}") from None


def backup(url: str, target: Path | None = None) -> Path:
    """Write a consistent copy of the database at ``url`` to ``target`` (or a dated file)."""
    database = sqlite_path(url)
    if not database.is_file():
        raise DatabaseUnavailable(f"there is no database at {database} to back up")
    target = (target or default_backup_path(database)).expanduser()
    if target.exists():
        raise Invalid(f"{target} already exists: choose another path")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"cannot create {target.parent}: {error.strerror}") from None
    _copy(database, target)
    return target


def check_backup(path: Path) -> None:
    """Refuse a file that is not a healthy irp database before it replaces anything."""
    if not path.is_file():
        raise Invalid(f"{path} does not exist")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            ok = con.execute("PRAGMA integrity_check").fetchone()
            has_schema = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.Error as error:
        raise Invalid(f"{path} is not a SQLite database ({error})") from None
    if not ok or ok[0] != "ok":
        raise Invalid(f"{path} fails SQLite's integrity check: {ok[0] if ok else 'no answer'}")
    if has_schema is None:
        raise Invalid(f"{path} is not an ir-pipeline database (it has no schema revision)")


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup ``source`` (checked first)."""
    database = sqlite_path(url)
    source = source.expanduser()
    check_backup(source)
    if source.resolve() == database.resolve():
        raise Invalid("that is the database itself, not a backup of it")
    _copy(source, database)
