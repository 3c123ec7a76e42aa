"""name keys for more legal forms

Company names are matched on a key that ignores legal-form markers. ``Pvt. Ltd.``, ``Pte. Ltd.``,
``Private Limited`` and ``L.L.C.`` now count as such markers, so keys stored before are
recomputed with the current rule (``ir_pipeline.naming.name_key``). A row whose new key would
collide with another row's keeps its old key: both still match as they did, and nothing is merged
behind anyone's back. No schema change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline.naming import name_key

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    for table in ("startup", "investor"):
        rows = connection.execute(sa.text(f"SELECT id, name, name_key FROM {table}")).all()
        taken = {key for _, _, key in rows}
        for ident, name, old in rows:
            new = name_key(name)
            if new == old or new in taken:
                continue
            connection.execute(
                sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"), {"key": new, "id": ident}
            )
            taken.discard(old)
            taken.add(new)


def downgrade() -> None:
    """Keys stay as they are: the older rule simply matches these few names less well."""
