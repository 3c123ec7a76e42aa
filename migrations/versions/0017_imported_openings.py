"""imported openings

A deal imported from another database or a spreadsheet starts its history here at the stage it
had there, on that stage's date. Its opening move now also says what the deal had done before
(``stage_change.opened_reached``: the furthest funnel stage it had reached; ``opened_lost_from``:
the stage a lost deal was lost from), so the history replays to exactly the deal as imported,
and an undo of a later move returns it there. Empty on every other move.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAGES = ("sourced", "pitched", "loi", "diligence", "term_sheet", "funded", "lost", "on_hold")


def _stage(name: str) -> sa.Enum:
    return sa.Enum(*_STAGES, name=name, native_enum=False, create_constraint=True, length=14)


def upgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_reached", _stage("opened_reached"), nullable=True))
        batch_op.add_column(sa.Column("opened_lost_from", _stage("opened_lost_from"), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.run(bind, rights.startup_columns_sql(bind))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        if sqlite:
            for name in ("opened_lost_from", "opened_reached"):  # their CHECKs would outlive them
                batch_op.drop_constraint(name, type_="check")
        batch_op.drop_column("opened_lost_from")
        batch_op.drop_column("opened_reached")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.run(bind, rights.startup_columns_sql(bind))
