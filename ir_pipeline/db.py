"""Engines and units of work.

One user action is one :func:`unit_of_work`: a transaction that commits when the block ends and
rolls back on any error, so a failed action leaves nothing behind. Driver errors that a person
can act on (locked, unreachable, constraint) come out as domain errors with a readable message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from ir_pipeline import session_hooks
from ir_pipeline.errors import Conflict, DatabaseUnavailable, EditConflict, Forbidden, Invalid, IrpError
from ir_pipeline.text import excerpt

SQLITE_BUSY_TIMEOUT_MS = 5_000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` and still get the psycopg 3 driver we ship."""
    return re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", url)


def parse_url(url: str) -> sa.URL:
    """The database URL, or :class:`Invalid` saying which forms work (never a traceback)."""
    try:
        parsed = make_url(normalise_url(url))
    except exc.ArgumentError:
        parsed = None
    if parsed is None or parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        shown = excerpt(url, 60)
        raise Invalid(
            f"cannot use the database {shown!r}: use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user@host/dbname"
        )
    return parsed


def backend_name(url: str) -> str:
    """``sqlite`` or ``postgresql``: which kind of database a URL names, however it is spelled."""
    return parse_url(url).get_backend_name()


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


#: The page cache of each SQLite connection, in KiB.
SQLITE_CACHE_KIB = 65_536


def make_engine(url: str) -> Engine:
    """An engine with the SQLite pragmas we rely on (WAL, foreign keys, busy timeout), and the
    write hooks (trail, notices, running totals) on every session (:mod:`ir_pipeline.session_hooks`)."""
    session_hooks.install()
    parsed = parse_url(url)
    url = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnavailable(
                    f"cannot create the folder for {database}: {error.strerror}"
                ) from None
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_pragmas(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MB of page cache instead of SQLite's 2 MB: a bulk import updates a dozen indexes at
        # once, and with 2 MB each insert evicts the pages the next one needs. Pages are cached
        # only as they are read, so a small database never uses it.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that upgrades from read
        # to write fails at once with "database is locked" instead of waiting its turn.
        write = connection.get_execution_options().get("irp_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_SQLITE_MAX = 2**63 - 1


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn driver errors into domain errors a person understands; let our own errors through."""
    try:
        yield
    except IrpError:
        raise
    except StaleDataError:
        raise EditConflict(
            "someone else saved this record while you were changing it: reload it and apply your change again"
        ) from None
    except exc.IntegrityError as error:
        raise Conflict(_integrity_message(error)) from None
    except exc.OperationalError as error:
        raise DatabaseUnavailable(_operational_message(url, error)) from None
    except OverflowError as error:
        # SQLite's driver refuses an int beyond 64 bits before the statement runs (an id typed
        # as 9223372036854775808): no such row can exist, and nothing was written
        if "SQLite INTEGER" not in str(error):
            raise
        raise Invalid(f"a number is larger than the database holds (at most {_SQLITE_MAX:,})") from None
    except exc.DBAPIError as error:
        if "NUL (0x00)" in str(error.orig):  # psycopg: PostgreSQL's text holds no NUL character
            raise Invalid("text cannot contain the NUL character (\\x00)") from None
        if getattr(error.orig, "sqlstate", None) == "42501":  # insufficient_privilege, incl. RLS
            raise Forbidden(f"permission denied: {_first_line(error)}") from None
        if getattr(error.orig, "sqlstate", None) == "22003":  # numeric_value_out_of_range
            raise Invalid(f"a number is out of range for the database: {_first_line(error)}") from None
        if type(error) is exc.DatabaseError:  # e.g. "file is not a database"
            raise DatabaseUnavailable(_operational_message(url, error)) from None
        if error.connection_invalidated:
            raise DatabaseUnavailable(f"lost the connection to {describe(url)}") from None
        raise


def _first_line(error: exc.DBAPIError) -> str:
    text = str(error.orig).strip()
    return text.splitlines()[0] if text else type(error.orig).__name__


def _integrity_message(error: exc.IntegrityError) -> str:
    text = str(error.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "that record already exists (a name or number must be unique)"
    if "foreign key" in text:
        return "that record is referenced elsewhere or refers to something that does not exist"
    if "check" in text:
        return f"the database refused a value that breaks a rule ({str(error.orig).splitlines()[0]})"
    return f"the database refused the change ({str(error.orig).splitlines()[0]})"


def _operational_message(url: str, error: exc.DBAPIError) -> str:
    text = str(error.orig)
    lowered = text.lower()
    where = describe(url)
    if "locked" in lowered or "busy" in lowered:
        return f"the database {where} is locked by another program; try again in a moment"
    if "unable to open" in lowered:
        return f"cannot open the database {where}: the file or its folder is missing or not writable"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database {where} is read-only"
    first = text.strip().splitlines()[0] if text.strip() else type(error.orig).__name__
    if "malformed" in lowered or "not a database" in lowered:  # SQLite's words for a damaged file
        return f"cannot use the database {where}: {first} (`irp db check` says what to do)"
    return f"cannot use the database {where}: {first}"


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction for one user action: commit at the end, roll back on any error."""
    bind = engine.execution_options(irp_write=write)
    with translate_errors(str(engine.url)), Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            if write:
                session.commit()
            else:
                session.expunge_all()  # keep what was read readable after the snapshot ends
                session.rollback()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_only(engine: Engine) -> Iterator[Session]:
    """A read transaction: a consistent snapshot, never a write lock."""
    with unit_of_work(engine, write=False) as session:
        yield session
