"""sealed endpoint secrets and headers

An endpoint's signing secret is stored sealed with a key that is not in the database
(``ir_pipeline.notify.sealed``): the secrets already stored are sealed now. Endpoints gain extra
request headers (sealed too) for receivers that want credentials, which a URL may no longer carry.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ir_pipeline.notify import sealed

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_endpoint = sa.table("notify_endpoint", sa.column("id", sa.Integer), sa.column("secret", sa.Text))


def upgrade() -> None:
    with op.batch_alter_table("notify_endpoint", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=80),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.add_column(sa.Column("headers", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "header_names",
                sqlmodel.sql.sqltypes.AutoString(length=400),
                server_default="",
                nullable=False,
            )
        )
    bind = op.get_bind()
    rows = bind.execute(sa.select(_endpoint.c.id, _endpoint.c.secret).where(_endpoint.c.secret.is_not(None)))
    for ident, secret in rows.all():
        if not sealed.is_sealed(secret):
            bind.execute(_endpoint.update().where(_endpoint.c.id == ident).values(secret=sealed.seal(secret)))


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_endpoint.c.id, _endpoint.c.secret).where(_endpoint.c.secret.is_not(None)))
    for ident, secret in rows.all():
        if sealed.is_sealed(secret):
            bind.execute(
                _endpoint.update().where(_endpoint.c.id == ident).values(secret=sealed.unseal(secret))
            )
    with op.batch_alter_table("notify_endpoint", schema=None) as batch_op:
        batch_op.drop_column("header_names")
        batch_op.drop_column("headers")
        batch_op.alter_column(
            "secret",
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=80),
            existing_nullable=True,
        )
