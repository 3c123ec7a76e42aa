"""database identity

``database_info`` gains ``identity``: a UUID the database gets when it is created (or, for an
older one, when it reaches this revision), kept by ``irp db copy``. A calendar event's UID
carries it, so follow-up #1 of one database never replaces follow-up #1 of another in a
calendar that imported both.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("database_info", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity", sa.String(length=36), nullable=True))
    info = sa.table("database_info", sa.column("id"), sa.column("identity"))
    bind = op.get_bind()
    made = str(uuid.uuid4())
    if bind.execute(sa.select(info.c.id).where(info.c.id == 1)).first() is None:
        bind.execute(info.insert().values(id=1, identity=made))
    else:
        bind.execute(info.update().where(info.c.identity.is_(None)).values(identity=made))
    with op.batch_alter_table("database_info", schema=None) as batch_op:
        batch_op.alter_column("identity", existing_type=sa.String(length=36), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("database_info", schema=None) as batch_op:
        batch_op.drop_column("identity")
