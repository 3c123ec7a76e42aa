"""funnel running totals

The ``funnel_sum`` table keeps the funnel's figures (counts and exact sums per stage, currency,
LOI status, startup, investor and event) up to date in the same transaction as every change, so
the funnel reads a few hundred cells instead of scanning every LOI. It is filled here from the
existing rows with the same rule the application uses (``ir_pipeline.summaries``). On
PostgreSQL staff may add to it, managers read it, and a startup reads only its own cells.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights
from ir_pipeline.summaries import check, store

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "funnel_sum",
        sa.Column("scope", sa.String(length=1), nullable=False),
        sa.Column("scope_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount_hi", sa.BigInteger(), nullable=False),
        sa.Column("amount_lo", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope",
            "scope_id",
            "measure",
            "stage",
            "currency",
            "status",
            "member_id",
            name=op.f("pk_funnel_sum"),
        ),
    )
    bind = op.get_bind()
    # The rule that fills the cells is today's, which also reads the rate snapshots of 0010 and
    # the deal columns of 0014: on a database from before those, 0014 fills every cell.
    if "reached" in {c["name"] for c in sa.inspect(bind).get_columns("deal")}:
        store.replace_all(bind, check.recompute(bind))
    if bind.dialect.name == "postgresql":
        for statement in rights.summary_rights_sql():
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("funnel_sum")
