"""share links

``share_link`` holds read-only links to one startup or one event for people outside the team:
the SHA-256 of a random token (never the token), what it shows, who made it, until when, and
whether it was revoked. ``share_view`` keeps every view of one. Staff make, list and revoke
links and read their views; managers and startups see none.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights, trail_sql
from ir_pipeline.models.types import UTCDateTime

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "startup", "event", name="share_kind", native_enum=False, create_constraint=True, length=11
            ),
            nullable=False,
        ),
        sa.Column("startup_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "(kind = 'startup') = (startup_id IS NOT NULL) AND (kind = 'event') = (event_id IS NOT NULL)",
            name=op.f("ck_share_link_one_target"),
        ),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_share_link_sha256_hex")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_share_link_event_id_event")),
        sa.ForeignKeyConstraint(
            ["startup_id"], ["startup.id"], name=op.f("fk_share_link_startup_id_startup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_link_token_hash")),
    )
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_link_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_share_link_startup_id"), ["startup_id"], unique=False)
    op.create_table(
        "share_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("page", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"], ["share_link.id"], name=op.f("fk_share_view_link_id_share_link")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_view")),
    )
    with op.batch_alter_table("share_view", schema=None) as batch_op:
        batch_op.create_index("ix_share_view_link_id_at", ["link_id", "at"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # the trail of who shared what: the database's own
        rights.run(
            bind, [*rights.share_rights_sql(), *trail_sql.retrigger_sql("share_link", rights.schema_of(bind))]
        )


def downgrade() -> None:
    op.drop_table("share_view")  # its triggers, grants and policies go with it
    op.drop_table("share_link")
