"""Bulk inserts for the large imports: rows straight through the driver, each value converted by
its column type, in one statement per chunk (``unnest`` on PostgreSQL, a staged temporary table on
SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


def bulk_insert(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (values in the order of ``columns``) straight through the driver, each value
    converted by its column type's own bind processor (what a normal insert would send): one
    ``INSERT … SELECT FROM unnest(…)`` per chunk on PostgreSQL, ``executemany`` on SQLite.

    SQLAlchemy's per-row parameter handling costs more than the insert itself at 100k rows.
    """
    if not rows:
        return
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    values: Sequence[Sequence[Any]] = rows
    if any(processors):
        # Column by column, each distinct value converted once: most columns repeat a few values
        # (the batch's timestamp, a handful of dates, enum members), and map() and zip() do the
        # per-row work at C speed.
        by_column: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for index, processor in enumerate(processors):
            if processor is not None:
                column = by_column[index]
                done = {value: processor(value) for value in set(column) if value is not None}
                done[None] = None
                by_column[index] = list(map(done.__getitem__, column))
        values = list(zip(*by_column, strict=True))
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        insert_unnested(connection, table, columns, values)
        return
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:  # pragma: no cover - the drivers we ship use qmark or format/pyformat
        raise RuntimeError(f"unsupported paramstyle {dialect.paramstyle}")
    # SQLite runs an INSERT statement once per row of an executemany, opening a cursor on every
    # index of the table each time (the deal table has eleven); the rows go to a bare temporary
    # table first and reach the real one in a single INSERT … SELECT, which opens them once.
    # Constraints, defaults, triggers and ids are the real table's, as with a direct insert.
    staged = f"temp.irp_import_{table.name}"
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE {staged.removeprefix('temp.')} AS SELECT {names} FROM {table.name} WHERE 0"
    )
    try:
        connection.exec_driver_sql(
            f"INSERT INTO {staged} ({names}) VALUES ({', '.join([marker] * len(columns))})", values
        )
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staged} ORDER BY rowid"
        )
    finally:
        connection.exec_driver_sql(f"DROP TABLE {staged}")


#: Rows per statement on PostgreSQL: big enough that a statement's cost is the rows, small enough
#: that no one statement's arrays hold much memory.
UNNEST_ROWS = 20_000


def insert_unnested(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], values: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL: each column travels as one typed array and ``unnest`` turns them back into rows.

    ``COPY FROM`` is refused on a table with row-level security (every company table), even for a
    login the policies admit, so a staff login could not import; an ``INSERT`` is checked row by
    row against the policies like any other write, and its statement-level triggers (the audit
    trail) fire once per chunk, not once per row as an ``executemany`` would make them. No
    temporary table is needed (``TEMPORARY`` is taken from ``PUBLIC``).
    """
    dialect = connection.dialect
    types = [table.c[name].type.dialect_impl(dialect) for name in columns]
    casts = ", ".join(f"%s::{kind.compile(dialect=dialect)}[]" for kind in types)
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({casts})"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for chunk in chunks(list(values), UNNEST_ROWS):
        cursor.execute(statement, [list(column) for column in zip(*chunk, strict=True)])


def chunks(values: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
