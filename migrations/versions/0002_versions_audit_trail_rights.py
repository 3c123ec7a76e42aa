"""versions, audit trail, rights

Every editable row gets a version (optimistic locking); the append-only audit trail arrives with
a trigger that refuses updates and deletes; users can be disabled. On PostgreSQL the group roles,
grants and row-level security policies of ``ir_pipeline.rights`` are installed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ir_pipeline.models.types
from ir_pipeline import rights

_SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER audit_log_no_{what} BEFORE {what.upper()} ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit_log table is append-only: rows are never changed or deleted'); END"
    for what in ("update", "delete")
]

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", ir_pipeline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "insert",
                "update",
                "delete",
                "erase",
                "restore",
                name="audit_action",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("batch_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_actor_at", ["actor", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            "ix_audit_log_table_name_record_id", ["table_name", "record_id", "id"], unique=False
        )

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("funding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("investor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("pitch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    with op.batch_alter_table("startup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.install(bind)
    else:
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.uninstall(bind)
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table("startup", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("pitch", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("investor", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("funding", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("active")
        batch_op.drop_column("version")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_table_name_record_id")
        batch_op.drop_index(batch_op.f("ix_audit_log_deal_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_batch_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index("ix_audit_log_actor_at")

    op.drop_table("audit_log")
