"""Trigram indexes on names, so "contains" searches use an index on both databases.

SQLite keeps one FTS5 table with the trigram tokenizer per kind of name (``name_search_startup``,
``name_search_investor``, ``name_search_contact``), whose rowid is the record's id, filled by
triggers so it is right whatever writes the rows; PostgreSQL keeps ``pg_trgm`` GIN indexes on the
same columns, which ``LIKE '%…%'`` uses by itself. Both need three characters: a shorter search
(two Hangul syllables, say) scans the names instead, which the small name tables allow.

One table per kind, keyed by rowid, because a search of investors must not read every startup
that matches (a key like "tech" names thousands of startups and no investor), and a rename must
find its row by key rather than by scanning. Migration 0006 made one shared table instead; its
layout is kept below, frozen, for that migration and its undoing.

These objects live outside ``SQLModel.metadata`` (neither is portable), so ``migrations/env.py``
leaves them out of ``alembic check``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

PREFIX = "name_search"
#: (kind, table, column): what is indexed.
SOURCES = (("s", "startup", "name_key"), ("i", "investor", "name_key"), ("c", "contact", "name"))
MIN_LENGTH = 3


def fts_table(table: str) -> str:
    return f"{PREFIX}_{table}"


def _sqlite_ddl() -> list[str]:
    statements = []
    for _, table, column in SOURCES:
        fts = fts_table(table)
        statements += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(name, tokenize='trigram')",
            f"INSERT INTO {fts} (rowid, name) SELECT id, {column} FROM {table}",
            f"CREATE TRIGGER {table}_name_search_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts} (rowid, name) VALUES (new.id, new.{column}); END",
            f"CREATE TRIGGER {table}_name_search_update AFTER UPDATE OF {column} ON {table} BEGIN"
            f" UPDATE {fts} SET name = new.{column} WHERE rowid = old.id; END",
            f"CREATE TRIGGER {table}_name_search_delete AFTER DELETE ON {table} BEGIN"
            f" DELETE FROM {fts} WHERE rowid = old.id; END",
        ]
    return statements


def _postgresql_ddl() -> list[str]:
    return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
        f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        for _, table, column in SOURCES
    ]


def _drop_triggers(connection: sa.Connection) -> None:
    for _, table, _ in SOURCES:
        for event in ("insert", "update", "delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_name_search_{event}")


def install(connection: sa.Connection) -> None:
    ddl = _postgresql_ddl() if connection.dialect.name == "postgresql" else _sqlite_ddl()
    for statement in ddl:
        connection.exec_driver_sql(statement)


def uninstall(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        for _, table, column in SOURCES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
        return
    _drop_triggers(connection)
    for _, table, _ in SOURCES:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fts_table(table)}")


def install_0006(connection: sa.Connection) -> None:
    """What migration 0006 installed: on SQLite one FTS5 table for every kind, rows found by a
    ``kind`` and ``ref`` column (frozen: migrations 0006 and 0007 depend on it being exactly this)."""
    if connection.dialect.name == "postgresql":
        install(connection)
        return
    statements = [
        f"CREATE VIRTUAL TABLE {PREFIX} USING fts5(name, kind UNINDEXED, ref UNINDEXED, tokenize='trigram')"
    ]
    for kind, table, column in SOURCES:
        statements += [
            f"INSERT INTO {PREFIX} (name, kind, ref) SELECT {column}, '{kind}', id FROM {table}",
            f"CREATE TRIGGER {table}_name_search_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {PREFIX} (name, kind, ref) VALUES (new.{column}, '{kind}', new.id); END",
            f"CREATE TRIGGER {table}_name_search_update AFTER UPDATE OF {column} ON {table} BEGIN"
            f" UPDATE {PREFIX} SET name = new.{column} WHERE kind = '{kind}' AND ref = old.id; END",
            f"CREATE TRIGGER {table}_name_search_delete AFTER DELETE ON {table} BEGIN"
            f" DELETE FROM {PREFIX} WHERE kind = '{kind}' AND ref = old.id; END",
        ]
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall_0006(connection: sa.Connection) -> None:
    """Undo :func:`install_0006` (frozen, like it)."""
    if connection.dialect.name == "postgresql":
        uninstall(connection)
        return
    _drop_triggers(connection)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {PREFIX}")


def is_index_object(name: str | None) -> bool:
    """Whether a reflected table or index belongs here (for ``alembic check``)."""
    return bool(name) and (str(name).startswith(PREFIX) or str(name).endswith("_trgm"))


def matching(kind: str, key: str, dialect: str) -> Any | None:
    """The ids of ``kind`` whose name contains ``key``, through the SQLite trigram table; ``None``
    where a plain ``LIKE`` is the indexed way (PostgreSQL) or the key is too short to index."""
    if dialect != "sqlite" or len(key) < MIN_LENGTH:
        return None
    table = next(table for k, table, _ in SOURCES if k == kind)
    fts = sa.table(fts_table(table), sa.column("rowid"))
    phrase = '"' + key.replace('"', '""') + '"'
    return sa.select(fts.c.rowid).where(sa.literal_column(fts_table(table)).op("MATCH")(sa.literal(phrase)))
