"""funnel rate cells

The converted total of all deals lists the rates it was made with. Those were read with a
DISTINCT over every foreign LOI's snapshot (150,000 index entries at a million LOIs, 230 ms on
PostgreSQL under row-level security). ``funnel_rate`` keeps them as counts instead, one row per
kind (LOI or funding), base, currency, day, rate and source, written with the other running
totals; the funnel reads those few rows. Filled here from the records.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights
from ir_pipeline.models.types import ExactDecimal

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "funnel_rate",
        sa.Column("scope", sa.String(length=1), nullable=False),
        sa.Column("scope_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rate", ExactDecimal(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope", "scope_id", "kind", "base", "currency", "day", "rate", "source",
            name=op.f("pk_funnel_rate"),
        ),
    )  # fmt: skip
    for kind, table in (("l", "letter_of_intent"), ("f", "funding")):
        op.execute(
            "INSERT INTO funnel_rate (scope, scope_id, kind, base, currency, day, rate, source, n)"
            f" SELECT 'a', 0, '{kind}', fx_base, currency, fx_day, fx_rate, fx_source, count(*)"
            f" FROM {table} WHERE fx_base IS NOT NULL"
            " GROUP BY fx_base, currency, fx_day, fx_rate, fx_source"
        )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # managers and staff read the cells, staff write them; a startup and a share link never
        # read the funnel of all deals, so they get none
        for statement in rights.summary_rights_sql("funnel_rate"):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("funnel_rate")
