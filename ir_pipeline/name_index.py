"""Trigram indexes on names, so "contains" searches use an index on both databases.

SQLite keeps an FTS5 table with the trigram tokenizer (``name_search``: startup and investor name
keys, contact names), filled by triggers, so it is right whatever writes the rows; PostgreSQL
keeps ``pg_trgm`` GIN indexes on the same columns, which ``LIKE '%…%'`` uses by itself. Both
need three characters: a shorter search (two Hangul syllables, say) scans the names instead,
which the small name tables allow.

These objects live outside ``SQLModel.metadata`` (neither is portable), so ``migrations/env.py``
leaves them out of ``alembic check``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

FTS_TABLE = "name_search"
#: (kind, table, column): what is indexed.
SOURCES = (("s", "startup", "name_key"), ("i", "investor", "name_key"), ("c", "contact", "name"))
MIN_LENGTH = 3


def _sqlite_ddl() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE {FTS_TABLE}"
        " USING fts5(name, kind UNINDEXED, ref UNINDEXED, tokenize='trigram')"
    ]
    for kind, table, column in SOURCES:
        statements += [
            f"INSERT INTO {FTS_TABLE} (name, kind, ref) SELECT {column}, '{kind}', id FROM {table}",
            f"CREATE TRIGGER {table}_name_search_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {FTS_TABLE} (name, kind, ref) VALUES (new.{column}, '{kind}', new.id); END",
            f"CREATE TRIGGER {table}_name_search_update AFTER UPDATE OF {column} ON {table} BEGIN"
            f" UPDATE {FTS_TABLE} SET name = new.{column} WHERE kind = '{kind}' AND ref = old.id; END",
            f"CREATE TRIGGER {table}_name_search_delete AFTER DELETE ON {table} BEGIN"
            f" DELETE FROM {FTS_TABLE} WHERE kind = '{kind}' AND ref = old.id; END",
        ]
    return statements


def _postgresql_ddl() -> list[str]:
    return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
        f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        for _, table, column in SOURCES
    ]


def install(connection: sa.Connection) -> None:
    ddl = _postgresql_ddl() if connection.dialect.name == "postgresql" else _sqlite_ddl()
    for statement in ddl:
        connection.exec_driver_sql(statement)


def uninstall(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        for _, table, column in SOURCES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
        return
    for _, table, _ in SOURCES:
        for event in ("insert", "update", "delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_name_search_{event}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def is_index_object(name: str | None) -> bool:
    """Whether a reflected table or index belongs here (for ``alembic check``)."""
    return bool(name) and (str(name).startswith(FTS_TABLE) or str(name).endswith("_trgm"))


def matching(kind: str, key: str, dialect: str) -> Any | None:
    """The ids of ``kind`` whose name contains ``key``, through the SQLite trigram table; ``None``
    where a plain ``LIKE`` is the indexed way (PostgreSQL) or the key is too short to index."""
    if dialect != "sqlite" or len(key) < MIN_LENGTH:
        return None
    fts = sa.table(FTS_TABLE, sa.column("ref"), sa.column("kind"))
    phrase = '"' + key.replace('"', '""') + '"'
    return (
        sa.select(fts.c.ref)
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(sa.literal(phrase)))
        .where(fts.c.kind == kind)
    )
