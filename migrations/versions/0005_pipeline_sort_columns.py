"""pipeline sort columns

A deal keeps its last LOI (amount, currency, date) and its next open follow-up's due date, kept
up to date by the application in the same transaction as the change, with an index for each sort
of the pipeline (and on startup and investor names, and the two that find a deal's last LOI and
next follow-up in one step), so every page is read through an index
whatever the number of deals. Filled here from the existing rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

from ir_pipeline.summaries import deal_columns

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_loi_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("last_loi_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("last_loi_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_follow_up_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_deal_last_loi_minor_id", ["last_loi_minor", "id"], unique=False)
        batch_op.create_index("ix_deal_next_follow_up_on_id", ["next_follow_up_on", "id"], unique=False)
        batch_op.create_index("ix_deal_stage_changed_at_id", ["stage_changed_at", "id"], unique=False)
        for column in ("last_loi_minor", "next_follow_up_on", "stage_changed_at"):
            batch_op.create_index(f"ix_deal_stage_{column}_id", ["stage", column, "id"], unique=False)
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_letter_of_intent_deal_id_received_on_id", ["deal_id", "received_on", "id"], unique=False
        )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_deal_id_status_due_on", ["deal_id", "status", "due_on"], unique=False
        )
    with op.batch_alter_table("startup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_startup_name"), ["name"], unique=False)
    with op.batch_alter_table("investor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_investor_name"), ["name"], unique=False)
    deal_columns.refresh(
        op.get_bind(),
        SQLModel.metadata,
        lambda column: sa.true(),
        ("last_loi_minor", "last_loi_currency", "last_loi_on", "next_follow_up_on"),
    )


def downgrade() -> None:
    with op.batch_alter_table("investor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investor_name"))
    with op.batch_alter_table("startup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_startup_name"))
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_deal_id_status_due_on")
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_of_intent_deal_id_received_on_id")
    with op.batch_alter_table("deal", schema=None) as batch_op:
        for column in ("last_loi_minor", "next_follow_up_on", "stage_changed_at"):
            batch_op.drop_index(f"ix_deal_stage_{column}_id")
        batch_op.drop_index("ix_deal_stage_changed_at_id")
        batch_op.drop_index("ix_deal_next_follow_up_on_id")
        batch_op.drop_index("ix_deal_last_loi_minor_id")
        batch_op.drop_column("next_follow_up_on")
        batch_op.drop_column("last_loi_on")
        batch_op.drop_column("last_loi_currency")
        batch_op.drop_column("last_loi_minor")
