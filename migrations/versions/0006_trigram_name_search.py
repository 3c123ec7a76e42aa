"""trigram name search

Startup, investor and contact names get trigram indexes, so a "name contains" search reads an
index instead of every name: an FTS5 table with the trigram tokenizer on SQLite (kept by
triggers), ``pg_trgm`` GIN indexes on PostgreSQL. See ``ir_pipeline.name_index``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from ir_pipeline import name_index

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    name_index.install_0006(op.get_bind())


def downgrade() -> None:
    name_index.uninstall_0006(op.get_bind())
