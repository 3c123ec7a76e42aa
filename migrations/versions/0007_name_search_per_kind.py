"""name search: one trigram table per kind

On SQLite, the one FTS5 table of migration 0006 held startup, investor and contact names side by
side, found by unindexed ``kind`` and ``ref`` columns: a search of investors read every startup
that matched, and a rename scanned the whole table for its row. Each kind now has its own table,
keyed by the record's id. PostgreSQL's GIN indexes stay as they are. See
``ir_pipeline.name_index``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

from ir_pipeline import name_index

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        name_index.uninstall_0006(connection)
        name_index.install(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        name_index.uninstall(connection)
        name_index.install_0006(connection)
