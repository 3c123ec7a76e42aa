"""database info and the LOI validity index

``database_info`` holds what a database says about itself, one row: its own date (``as_of``), when
it keeps one. The demo is dated the day of the press release, so its follow-ups fall due around
that day and its LOIs are still valid whenever it is opened. Every role reads it; staff set it.

LOIs gain an index on (status, valid_until): a standing LOI past its validity is shown as expired,
and the funnel counts those from the index, as the scan finds the ones about to lapse.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "database_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_database_info_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_database_info")),
    )
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_letter_of_intent_status_valid_until", ["status", "valid_until"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        rights.run(op.get_bind(), rights.info_rights_sql())


def downgrade() -> None:
    with op.batch_alter_table("letter_of_intent", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_of_intent_status_valid_until")
    op.drop_table("database_info")  # its grants and policies go with it
