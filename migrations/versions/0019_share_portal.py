"""share portal

The group ``irp_portal`` for the login ``irp serve`` connects with on PostgreSQL: no rights of
its own on company rows; policies admit only the rows of the startup or event that a live share
link names, found by the hash of the token each request sets (``ir_pipeline.portal_sql``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

from ir_pipeline import portal_sql, rights

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.run(bind, portal_sql.install_sql(bind, rights.schema_of(bind)))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.run(bind, portal_sql.uninstall_sql(rights.schema_of(bind)))
