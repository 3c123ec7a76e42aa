"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ir_pipeline.models.types

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "event",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organiser", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_event_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("name", name=op.f("uq_event_name")),
    )
    op.create_table(
        "investor",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "vc",
                "cvc",
                "angel",
                "bank",
                "pe",
                "accelerator",
                "government",
                "other",
                name="investor_kind",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investor")),
        sa.UniqueConstraint("name_key", name=op.f("uq_investor_name_key")),
    )
    op.create_table(
        "startup",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("business_no", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_startup")),
        sa.UniqueConstraint("business_no", name=op.f("uq_startup_business_no")),
        sa.UniqueConstraint("name_key", name=op.f("uq_startup_name_key")),
    )
    op.create_table(
        "app_user",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "staff",
                "manager",
                "startup",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("startup_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(role = 'startup') = (startup_id IS NOT NULL)", name=op.f("ck_app_user_startup_role_has_startup")
        ),
        sa.ForeignKeyConstraint(["startup_id"], ["startup.id"], name=op.f("fk_app_user_startup_id_startup")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_startup_id"), ["startup_id"], unique=False)

    op.create_table(
        "contact",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=True),
        sa.Column("startup_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(investor_id IS NULL) <> (startup_id IS NULL)",
            name=op.f("ck_contact_belongs_to_one_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["investor_id"], ["investor.id"], name=op.f("fk_contact_investor_id_investor")
        ),
        sa.ForeignKeyConstraint(["startup_id"], ["startup.id"], name=op.f("fk_contact_startup_id_startup")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_investor_id"), ["investor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_startup_id"), ["startup_id"], unique=False)

    op.create_table(
        "deal",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("startup_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "sourced",
                "pitched",
                "loi",
                "diligence",
                "term_sheet",
                "funded",
                "lost",
                "on_hold",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("stage_changed_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_deal_event_id_event")),
        sa.ForeignKeyConstraint(["investor_id"], ["investor.id"], name=op.f("fk_deal_investor_id_investor")),
        sa.ForeignKeyConstraint(["startup_id"], ["startup.id"], name=op.f("fk_deal_startup_id_startup")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal")),
        sa.UniqueConstraint("startup_id", "investor_id", name="uq_deal_startup_investor"),
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_investor_id"), ["investor_id"], unique=False)
        batch_op.create_index("ix_deal_stage_id", ["stage", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_startup_id"), ["startup_id"], unique=False)

    op.create_table(
        "pitch",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("startup_id", sa.Integer(), nullable=False),
        sa.Column("pitched_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_pitch_event_id_event")),
        sa.ForeignKeyConstraint(["startup_id"], ["startup.id"], name=op.f("fk_pitch_startup_id_startup")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pitch")),
        sa.UniqueConstraint("event_id", "startup_id", name="uq_pitch_event_startup"),
    )
    with op.batch_alter_table("pitch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pitch_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pitch_startup_id"), ["startup_id"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "call",
                "meeting",
                "message",
                "other",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "cancelled",
                name="follow_up_status",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("completed_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'open') = (completed_at IS NULL)", name=op.f("ck_follow_up_closed_has_time")
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_follow_up_deal_id_deal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index("ix_follow_up_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "funding",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column(
            "instrument",
            sa.Enum(
                "common",
                "preferred",
                "rcps",
                "convertible_note",
                "bw",
                "safe",
                "loan",
                "grant",
                "other",
                name="instrument",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_funding_amount_positive")),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_funding_currency_iso")),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_funding_deal_id_deal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding")),
    )
    with op.batch_alter_table("funding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_deal_id"), ["deal_id"], unique=False)

    op.create_table(
        "letter_of_intent",
        sa.Column("created_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_max_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column(
            "instrument",
            sa.Enum(
                "common",
                "preferred",
                "rcps",
                "convertible_note",
                "bw",
                "safe",
                "loan",
                "grant",
                "other",
                name="instrument",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "withdrawn",
                "expired",
                "converted",
                name="loi_status",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "amount_max_minor IS NULL OR amount_max_minor >= amount_minor",
            name=op.f("ck_letter_of_intent_range_ordered"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_letter_of_intent_amount_positive")),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_letter_of_intent_currency_iso")),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= received_on",
            name=op.f("ck_letter_of_intent_valid_after_received"),
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_letter_of_intent_deal_id_deal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_of_intent")),
    )
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_of_intent_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_of_intent_received_on"), ["received_on"], unique=False)

    op.create_table(
        "stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "sourced",
                "pitched",
                "loi",
                "diligence",
                "term_sheet",
                "funded",
                "lost",
                "on_hold",
                name="from_stage",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "sourced",
                "pitched",
                "loi",
                "diligence",
                "term_sheet",
                "funded",
                "lost",
                "on_hold",
                name="to_stage",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_stage_change_deal_id_deal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_change")),
    )
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.create_index("ix_stage_change_deal_id_changed_at", ["deal_id", "changed_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_change_deal_id_changed_at")

    op.drop_table("stage_change")
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_of_intent_received_on"))
        batch_op.drop_index(batch_op.f("ix_letter_of_intent_deal_id"))

    op.drop_table("letter_of_intent")
    with op.batch_alter_table("funding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_deal_id"))

    op.drop_table("funding")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_status_due_on")
        batch_op.drop_index(batch_op.f("ix_follow_up_deal_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("pitch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pitch_startup_id"))
        batch_op.drop_index(batch_op.f("ix_pitch_event_id"))

    op.drop_table("pitch")
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_startup_id"))
        batch_op.drop_index("ix_deal_stage_id")
        batch_op.drop_index(batch_op.f("ix_deal_investor_id"))
        batch_op.drop_index(batch_op.f("ix_deal_event_id"))

    op.drop_table("deal")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_startup_id"))
        batch_op.drop_index(batch_op.f("ix_contact_investor_id"))

    op.drop_table("contact")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_startup_id"))

    op.drop_table("app_user")
    op.drop_table("startup")
    op.drop_table("investor")
    op.drop_table("event")
