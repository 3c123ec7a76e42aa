"""Schema migrations, driven from code so users never need an ``alembic.ini``.

Every command that opens a database calls :func:`ensure_current` first: an old schema is brought
to head, and a schema from a newer ir-pipeline is refused instead of being misread.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ir_pipeline.db import translate_errors
from ir_pipeline.errors import Invalid, SchemaTooNew


def script_location() -> Path:
    """``migrations/`` of the checkout, or the copy packed into the wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError("ir-pipeline is installed without its migrations")  # pragma: no cover


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revisions() -> tuple[str, ...]:
    return tuple(_scripts().get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with translate_errors(str(engine.url)), engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def _check_not_newer(current: tuple[str, ...]) -> None:
    scripts = _scripts()
    for revision in current:
        try:
            scripts.get_revision(revision)
        except Exception:
            raise SchemaTooNew(
                f"this database is at schema revision {revision}, which this ir-pipeline does not know:"
                " it was written by a newer version. Upgrade ir-pipeline."
            ) from None


def ensure_current(engine: Engine) -> None:
    """Bring the schema to head, or refuse a database that is newer than this code."""
    current = current_revisions(engine)
    _check_not_newer(current)
    if set(current) != set(head_revisions()):
        upgrade(engine, "head")


def check_revision(revision: str, action: str = "downgrade") -> None:
    """Refuse a revision this code does not know, before anything is asked or backed up (Alembic
    itself would answer an empty one with a bare assertion)."""
    if revision in ("base", "head", "heads"):
        return
    found = None
    if revision.strip():
        try:
            found = _scripts().get_revision(revision)
        except Exception:
            found = None
    if found is None:
        raise Invalid(f"cannot {action} to {revision[:40]!r}: no such schema revision")


def upgrade(engine: Engine, revision: str = "head") -> None:
    check_revision(revision, "upgrade")
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    check_revision(revision)
    _check_not_newer(current_revisions(engine))
    _run(engine, "downgrade", revision)


def _run(engine: Engine, action: str, revision: str) -> None:
    with translate_errors(str(engine.url)), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds tables (copy, drop, rename); with foreign keys enforced the drop
            # would fail or cascade. Off for the migration (it only works outside a transaction),
            # then every reference is checked before the change commits.
            _pragma(connection, "foreign_keys=OFF")
        try:
            with connection.begin():
                config = _config(connection)
                try:
                    if action == "upgrade":
                        command.upgrade(config, revision)
                    else:
                        command.downgrade(config, revision)
                except Exception as error:
                    # Alembic raises CommandError / ResolutionError for unknown revisions.
                    if type(error).__module__.startswith("alembic"):
                        raise Invalid(f"cannot {action} to {revision!r}: {error}") from None
                    raise
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise Invalid(f"cannot {action} to {revision!r}: it would break references")
                if sqlite:
                    _restat(connection)
        finally:
            if sqlite:
                _pragma(connection, "foreign_keys=ON")


def _restat(connection: Connection) -> None:
    """Batch mode rebuilds a table without its planner statistics. Left that way, SQLite plans the
    rebuilt table as if it were tiny beside the others that still have theirs (a far pipeline
    page by startup went from 5 ms to half a second): where a database has statistics, they are
    gathered again, so it has them for every table or for none."""
    has_stats = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if has_stats:
        connection.exec_driver_sql("ANALYZE")


def _pragma(connection: Connection, setting: str) -> None:
    """A pragma outside any transaction, on the driver's own connection (SQLite ignores
    ``foreign_keys`` inside one, and SQLAlchemy would begin one first)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA {setting}")
