"""Moving a pipeline between databases: SQLite → PostgreSQL when a team starts sharing, and back.

Every row of every table is copied with its id, in one transaction on the target, which must be
migrated and empty; PostgreSQL sequences are then set past the highest id. The copy is checked
before it commits: the same row count in every table and the same funnel, figure for figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.db import translate_errors
from ir_pipeline.enums import Role
from ir_pipeline.errors import Invalid
from ir_pipeline.models import complete_metadata
from ir_pipeline.models.base import table_of
from ir_pipeline.models.info import DatabaseInfo
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.summaries import check as summary_check
from ir_pipeline.summaries import store as summary_store
from ir_pipeline.views import jsonable

CHUNK = 5_000
_INFO = table_of(DatabaseInfo)
Progress = Callable[[str, int], None]

#: Sees every row and writes nothing: what the check compares on both sides.
_EVERYTHING = Actor(name="irp-copy", role=Role.MANAGER)


@dataclass(frozen=True, slots=True)
class CopyReport:
    counts: dict[str, int]
    funnel_equal: bool
    #: The instant the source was read at: the copy holds the source as it was then.
    as_of: datetime | None = None
    #: Tables whose rows changed in the source while it was copied (by other connections):
    #: those changes are not in the copy.
    changed_meanwhile: dict[str, int] = field(default_factory=dict)


def _counts(connection: sa.Connection) -> dict[str, int]:
    return {
        t.name: int(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
        for t in complete_metadata().sorted_tables
    }


def _funnel_json(connection: sa.Connection) -> str:
    with Session(bind=connection) as session:
        return json.dumps(jsonable(funnel(session, actor=_EVERYTHING)), sort_keys=True)


def _snapshot(connection: sa.Connection) -> datetime:
    """Start one read of the whole source, so every table is copied as of the same instant:
    PostgreSQL's ``REPEATABLE READ`` (``READ COMMITTED`` would see each table at another time),
    SQLite's one read transaction in WAL mode (begun by the first statement, held to the end)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    connection.exec_driver_sql("SELECT 1 FROM alembic_version").all()  # the snapshot starts here
    return utcnow()


def copy_database(source: Engine, target: Engine, *, progress: Progress | None = None) -> CopyReport:
    """Copy everything from ``source`` (one snapshot of it) into the empty, migrated ``target``,
    then verify it; says which tables other connections changed in the source meanwhile."""
    with translate_errors(str(target.url)), source.connect() as src, target.begin() as dst:
        as_of = _snapshot(src)
        # a migrated database already says who it is (database_info): the copy takes the source's
        occupied = [name for name, n in _counts(dst).items() if n and name != _INFO.name]
        if occupied:
            raise Invalid(
                f"the target database is not empty ({', '.join(occupied)}): copy only into an empty,"
                " freshly created database"
            )
        if dst.dialect.name == "postgresql":
            # as the owner, the copied trail is the trail: the database's own triggers stand aside
            # for this transaction (a login that is not the owner gains nothing by setting it)
            dst.execute(sa.select(sa.func.set_config("irp.copying", "on", True)))
        for table in complete_metadata().sorted_tables:
            if table.name in summary_store.tables():
                continue  # recomputed from the copied rows below, never trusted from the source
            if table.name == _INFO.name:
                dst.execute(table.delete())  # the source's identity and date replace the new ones
            # columns the database computes (a note's shared part) are its own to write
            stored = [column for column in table.columns if column.computed is None]
            result = src.execution_options(yield_per=CHUNK).execute(
                sa.select(*stored).order_by(*table.primary_key.columns)
            )
            copied = 0
            for rows in result.partitions():
                dst.execute(table.insert(), [dict(r._mapping) for r in rows])
                copied += len(rows)
                if progress is not None:
                    progress(table.name, copied)
        summary_store.replace_all(dst, summary_check.recompute(dst))
        if dst.dialect.name == "postgresql":
            for table in complete_metadata().sorted_tables:
                if "id" not in table.c:
                    continue
                dst.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                    f" COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
        before, after = _counts(src), _counts(dst)
        for name in summary_store.tables():
            before[name] = after[name]
        if before != after:
            differing = ", ".join(
                f"{k}: {before[k]} → {after.get(k)}" for k in before if before[k] != after.get(k)
            )
            raise Invalid(f"the copy does not match its source ({differing}); nothing was written")
        same_funnel = _funnel_json(src) == _funnel_json(dst)
        if not same_funnel:
            raise Invalid("the copy's funnel differs from the source's; nothing was written")
    with source.connect() as now:  # the source as it is now, outside the snapshot
        latest = _counts(now)
    meanwhile = {
        name: latest[name] - before[name]
        for name in before
        if name not in summary_store.tables() and latest.get(name) != before[name]
    }
    return CopyReport(counts=after, funnel_equal=same_funnel, as_of=as_of, changed_meanwhile=meanwhile)
