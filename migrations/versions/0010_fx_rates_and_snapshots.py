"""fx rates and snapshots

The ``fx_rate`` table (one rate per currency pair and day, with its source and when it was
fetched) and, on every LOI and funding, the snapshot of what it was worth in the base currency:
the rate of its own day, that rate's day and source, and the converted amount in minor units.
On PostgreSQL everyone reads rates (they are public figures, not company data); staff write them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ir_pipeline.models.types
from ir_pipeline import config, rights
from ir_pipeline.fx.rates import SAME
from ir_pipeline.summaries import check, store

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SNAPSHOT_TABLES = ("funding", "letter_of_intent")


def upgrade() -> None:
    op.create_table(
        "fx_rate",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rate", ir_pipeline.models.types.ExactDecimal(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("fetched_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fetched_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.CheckConstraint(
            "length(base) = 3 AND length(quote) = 3 AND base <> quote", name=op.f("ck_fx_rate_pair_iso")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rate")),
        sa.UniqueConstraint("base", "quote", "day", name="uq_fx_rate_pair_day"),
    )
    for table in _SNAPSHOT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("fx_base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True)
            )
            batch_op.add_column(sa.Column("fx_rate", ir_pipeline.models.types.ExactDecimal(), nullable=True))
            batch_op.add_column(sa.Column("fx_day", sa.Date(), nullable=True))
            batch_op.add_column(
                sa.Column("fx_source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
            )
            batch_op.add_column(sa.Column("converted_minor", sa.BigInteger(), nullable=True))
            batch_op.create_check_constraint(
                "fx_snapshot_whole", sa.text("(fx_base IS NULL) = (converted_minor IS NULL)")
            )
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_letter_of_intent_currency_fx",
            ["currency", "fx_base", "fx_day", "fx_rate", "fx_source", "deal_id"],
            unique=False,
        )
    bind = op.get_bind()
    # Amounts already in the base currency need no rate: their snapshot is the amount itself.
    # Other currencies are filled when their rates arrive (`irp fx update` or `irp fx set`).
    base = config.base_currency()
    for table, day in (("letter_of_intent", "received_on"), ("funding", "closed_on")):
        bind.execute(
            sa.text(
                f"UPDATE {table} SET fx_base = :base, fx_rate = '1', fx_day = {day},"
                " fx_source = :same, converted_minor = amount_minor"
                " WHERE currency = :base AND fx_base IS NULL"
            ),
            {"base": base, "same": SAME},
        )
    # the running totals gain the converted cells: recomputed by the rule the application keeps,
    # which reads the deal columns of 0014 (that revision recounts them when it comes)
    if "reached" in {c["name"] for c in sa.inspect(bind).get_columns("deal")}:
        store.replace_all(bind, check.recompute(bind))
    if bind.dialect.name == "postgresql":
        for statement in rights.fx_rights_sql():
            op.execute(statement)


def downgrade() -> None:
    converted = ["loi_x", "loi_v", "fund_x", "fund_v", "loi_sx", "loi_ix", "fund_sx", "fund_ix"]
    op.get_bind().execute(sa.delete(store.table()).where(store.table().c.measure.in_(converted)))
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_of_intent_currency_fx")
    for table in reversed(_SNAPSHOT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_fx_snapshot_whole"), type_="check")
            batch_op.drop_column("converted_minor")
            batch_op.drop_column("fx_source")
            batch_op.drop_column("fx_day")
            batch_op.drop_column("fx_rate")
            batch_op.drop_column("fx_base")
    op.drop_table("fx_rate")  # its grants and policies go with it
