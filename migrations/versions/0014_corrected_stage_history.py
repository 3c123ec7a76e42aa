"""corrected stage history

An undo or a revert now names the move it takes back (``stage_change.undoes_id``), and a deal
keeps what its corrected history says (``ir_pipeline.history``): the furthest funnel stage it
reached and, when it is lost, the stage it was lost from. The funnel counts from those, so a
move to lost that was taken back no longer counts as "lost here".

Filled here from the history as it stands: moves taken back before this revision were not
marked, so they count as plain moves, except that only deals lost now count as lost, from the
stage of their last move. The funnel's running totals are recounted by the new rule.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ir_pipeline import rights, trail_sql

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAGES = ("sourced", "pitched", "loi", "diligence", "term_sheet", "funded", "lost", "on_hold")
_FUNNEL = ("sourced", "pitched", "loi", "diligence", "term_sheet", "funded")


def _stage(name: str) -> sa.Enum:
    return sa.Enum(*_STAGES, name=name, native_enum=False, create_constraint=True, length=14)


def _shared_notes() -> sa.Column[str]:
    return sa.Column(
        "shared_notes",
        sa.Text(),
        sa.Computed("CASE WHEN notes_shared THEN notes ELSE '' END", persisted=True),
        nullable=True,
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("deal", schema=None) as batch_op:
        if sqlite:  # SQLite's table copy cannot write a computed column: it is made again, not copied
            batch_op.drop_column("shared_notes")
        batch_op.add_column(sa.Column("reached", _stage("reached"), nullable=True))
        batch_op.add_column(sa.Column("lost_from", _stage("lost_from"), nullable=True))
        if sqlite:
            batch_op.add_column(_shared_notes())
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undoes_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stage_change_undoes_id"), ["undoes_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stage_change_undoes_id_stage_change"), "stage_change", ["undoes_id"], ["id"]
        )
    rank = " ".join(f"WHEN '{stage}' THEN {i}" for i, stage in enumerate(_FUNNEL))
    funnel = ", ".join(f"'{stage}'" for stage in _FUNNEL)
    op.execute(
        "UPDATE deal SET reached = (SELECT c.to_stage FROM stage_change c"
        f" WHERE c.deal_id = deal.id AND c.to_stage IN ({funnel})"
        f" ORDER BY CASE c.to_stage {rank} END DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE deal SET lost_from = (SELECT c.from_stage FROM stage_change c WHERE c.deal_id = deal.id"
        " ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) WHERE stage = 'lost'"
    )
    bind = op.get_bind()
    from ir_pipeline.summaries import check, store

    store.replace_all(bind, check.recompute(bind))
    if bind.dialect.name == "postgresql":
        schema = rights.schema_of(bind)
        rights.run(bind, [*rights.startup_columns_sql(bind), *trail_sql.retrigger_sql("deal", schema)])


def downgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stage_change_undoes_id_stage_change"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stage_change_undoes_id"))
        batch_op.drop_column("undoes_id")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("deal", schema=None) as batch_op:
        if sqlite:
            batch_op.drop_column("shared_notes")
            for name in ("lost_from", "reached"):  # their CHECKs would outlive them in the copy
                batch_op.drop_constraint(name, type_="check")
        batch_op.drop_column("lost_from")
        batch_op.drop_column("reached")
        if sqlite:
            batch_op.add_column(_shared_notes())
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = rights.schema_of(bind)
        rights.run(bind, [*rights.startup_columns_sql(bind), *trail_sql.retrigger_sql("deal", schema)])
