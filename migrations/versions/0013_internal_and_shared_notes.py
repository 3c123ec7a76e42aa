"""internal and shared notes

Staff's notes on a deal or a follow-up are internal unless staff share them: each gains a flag
(every existing note is internal) and a shared part the database computes from the note and the
flag. On PostgreSQL a startup login is granted every column of those tables but the note itself
(and of the stage history and pitches, every column but their reasons and notes), so no raw
``SELECT`` reads an internal note; the trail's triggers leave the computed part out.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights, trail_sql

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOTES = {
    "deal": ("notes", "notes_shared", "shared_notes"),
    "follow_up": ("note", "note_shared", "shared_note"),
}


def upgrade() -> None:
    for table, (text, flag, shared) in _NOTES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False))
            batch_op.add_column(
                sa.Column(
                    shared,
                    sa.Text(),
                    sa.Computed(f"CASE WHEN {flag} THEN {text} ELSE '' END", persisted=True),
                    nullable=True,
                )
            )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = rights.schema_of(bind)
    statements = rights.startup_columns_sql(bind)
    for table in _NOTES:
        statements += trail_sql.retrigger_sql(table, schema)
    rights.run(bind, statements)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rights.run(bind, [f"GRANT SELECT ON {table} TO irp_startup" for table in rights.STARTUP_HIDDEN])
    for table, (_text, flag, shared) in _NOTES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(shared)
            batch_op.drop_column(flag)
