"""outbox

The ``outbox_event`` table: one row per notice worth sending (an LOI received, a deal moved, a
follow-up overdue, …), written in the same transaction as the change it reports, so delivery can
never send a notice for a change that rolled back nor lose one for a change that committed. On
PostgreSQL staff insert and read the rows, managers read them, startups see none (an event names
other companies); nobody but the owner updates or deletes them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ir_pipeline.models.types
from ir_pipeline import rights

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("startup_id", sa.Integer(), nullable=True),
        sa.Column("once_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_event_id")),
        sa.UniqueConstraint("once_key", name=op.f("uq_outbox_event_once_key")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_event_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_event_startup_id"), ["startup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_event_type"), ["type"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in rights.outbox_rights_sql():
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_event_type"))
        batch_op.drop_index(batch_op.f("ix_outbox_event_startup_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_event_deal_id"))
    op.drop_table("outbox_event")
