"""deal LOI count and rank

A deal keeps how many LOIs it holds and their total in the ranking's order, kept by the
application with its other kept columns, so one startup's or one investor's funnel counts and
ranks the other side from its deals instead of reading every LOI (twenty thousand deals' worth for
a large investor). Filled here from the existing rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

from ir_pipeline.summaries import deal_columns

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("loi_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("loi_rank", sa.Float(), server_default=sa.text("0"), nullable=False))
    deal_columns.refresh(
        op.get_bind(), SQLModel.metadata, lambda column: sa.true(), ("loi_count", "loi_rank")
    )


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("loi_rank")
        batch_op.drop_column("loi_count")
