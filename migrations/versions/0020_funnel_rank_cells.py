"""funnel rank cells

The funnel's rankings and its counts of startups and investors with LOIs no longer read every
member's cells. Each startup (investor) with LOIs in an everything or event scope gets a rank
cell (measure ``rank_s``/``rank_i``: its LOIs in any currency, its amount in KRW), which an
expression index keeps in ranking order, so the top ten are the index's first ten entries; and
each such scope keeps the number of its rank cells (``mem_s``/``mem_i``).

The index lives outside ``SQLModel.metadata`` (an expression index with a WHERE clause, which
the two databases reflect differently), so ``alembic check`` leaves it out, like the trigram
indexes. The cells are filled here from the member cells already kept.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen here: the reader (ir_pipeline.queries.funnel_cells) spells the same expression
_RANK_INDEX = (
    "CREATE INDEX ix_funnel_sum_rank ON funnel_sum (scope, scope_id, measure,"
    " (amount_hi * CAST(4294967296 AS DOUBLE PRECISION) + amount_lo) DESC, n DESC, member_id)"
    " WHERE measure IN ('rank_s', 'rank_i')"
)


def upgrade() -> None:
    # an earlier migration that recomputed the totals with today's rules may have made them
    op.execute("DELETE FROM funnel_sum WHERE measure IN ('rank_s', 'rank_i', 'mem_s', 'mem_i')")
    for member, rank, count in (("loi_s", "rank_s", "mem_s"), ("loi_i", "rank_i", "mem_i")):
        op.execute(
            "INSERT INTO funnel_sum (scope, scope_id, measure, stage, currency, status, member_id,"
            " n, amount_hi, amount_lo)"
            f" SELECT scope, scope_id, '{rank}', '', '', '', member_id, sum(n),"
            " sum(CASE WHEN currency = 'KRW' THEN amount_hi ELSE 0 END),"
            " sum(CASE WHEN currency = 'KRW' THEN amount_lo ELSE 0 END)"
            f" FROM funnel_sum WHERE measure = '{member}' AND stage = '' AND status = ''"
            " GROUP BY scope, scope_id, member_id HAVING sum(n) <> 0"
        )
        op.execute(
            "INSERT INTO funnel_sum (scope, scope_id, measure, stage, currency, status, member_id,"
            " n, amount_hi, amount_lo)"
            f" SELECT scope, scope_id, '{count}', '', '', '', 0, count(*), 0, 0"
            f" FROM funnel_sum WHERE measure = '{rank}' AND n <> 0 GROUP BY scope, scope_id"
        )
    op.execute(_RANK_INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX ix_funnel_sum_rank")
    op.execute("DELETE FROM funnel_sum WHERE measure IN ('rank_s', 'rank_i', 'mem_s', 'mem_i')")
