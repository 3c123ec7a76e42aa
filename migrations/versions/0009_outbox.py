"""outbox

The ``outbox_event`` table: one row per notice worth sending (an LOI received, a deal moved, a
follow-up overdue, …), written in the same transaction as the change it reports, so delivery can
never send a notice for a change that rolled back nor lose one for a change that committed. On
PostgreSQL staff insert and read the rows, managers read them, startups see none (an event names
other companies); nobody but the owner updates or deletes them.

Beside it, where notices go and how their sending went: ``notify_endpoint`` (a URL, its format,
which notices, whose), ``notify_delivery`` (one notice to one endpoint: pending, delivered, failed
or dead, with when to try again) and ``notify_attempt`` (every try, with what came back).

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

    op.create_table(
        "notify_endpoint",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "standard",
                "slack",
                "teams",
                "jandi",
                name="endpoint_format",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("events", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("startup_id", sa.Integer(), nullable=True),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=False),
        sa.Column("after_event", sa.Integer(), nullable=False),
        sa.Column("removed_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["startup_id"], ["startup.id"], name=op.f("fk_notify_endpoint_startup_id_startup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_endpoint")),
        sa.UniqueConstraint("name", name=op.f("uq_notify_endpoint_name")),
    )
    op.create_table(
        "notify_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_row", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "delivered",
                "failed",
                "dead",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["notify_endpoint.id"],
            name=op.f("fk_notify_delivery_endpoint_id_notify_endpoint"),
        ),
        sa.ForeignKeyConstraint(
            ["event_row"], ["outbox_event.id"], name=op.f("fk_notify_delivery_event_row_outbox_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_delivery")),
        sa.UniqueConstraint("endpoint_id", "event_row", name=op.f("uq_notify_delivery_endpoint_id")),
    )
    with op.batch_alter_table("notify_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notify_delivery_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "notify_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["notify_delivery.id"],
            name=op.f("fk_notify_attempt_delivery_id_notify_delivery"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_attempt")),
    )
    with op.batch_alter_table("notify_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_attempt_delivery_id"), ["delivery_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in rights.outbox_rights_sql():
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("notify_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_attempt_delivery_id"))

    op.drop_table("notify_attempt")
    with op.batch_alter_table("notify_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_delivery_status_next_attempt_at")

    op.drop_table("notify_delivery")
    op.drop_table("notify_endpoint")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_event_type"))
        batch_op.drop_index(batch_op.f("ix_outbox_event_startup_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_event_deal_id"))

    op.drop_table("outbox_event")
