"""The columns a deal keeps about what hangs off it (last LOI, next follow-up due), so that the
pipeline sorts and pages by an index. Refreshed for the touched deals in the same transaction as
the change, by :mod:`~ir_pipeline.summaries.tracking`; one UPDATE for any number of deals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from ir_pipeline.queries.sums import ranking
from ir_pipeline.summaries.contributions import chunks


def _values(metadata: sa.MetaData) -> dict[str, Any]:
    deal = metadata.tables["deal"]
    loi = metadata.tables["letter_of_intent"]
    follow_up = metadata.tables["follow_up"]

    def last(column: sa.Column[Any]) -> Any:
        return (
            sa.select(column)
            .where(loi.c.deal_id == deal.c.id)
            .order_by(loi.c.received_on.desc(), loi.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    def of_lois(value: Any) -> Any:
        return sa.select(value).where(loi.c.deal_id == deal.c.id).scalar_subquery()

    return {
        "last_loi_minor": last(loi.c.amount_minor),
        "last_loi_currency": last(loi.c.currency),
        "last_loi_on": last(loi.c.received_on),
        "next_follow_up_on": sa.select(sa.func.min(follow_up.c.due_on))
        .where(follow_up.c.deal_id == deal.c.id, follow_up.c.status == "open")
        .scalar_subquery(),
        "loi_count": of_lois(sa.func.count()),
        "loi_rank": of_lois(sa.func.coalesce(ranking(loi.c.currency, loi.c.amount_minor), 0.0)),
    }


def is_later(received_on: date, than: date) -> bool:
    """Whether an LOI received on ``received_on`` and written after one received on ``than`` (so
    with a larger id) is the later of the two, by the rule of ``last_loi_*`` above: the latest
    received, then the largest id. For writers that set the columns of deals they open."""
    return received_on >= than


def refresh(
    connection: sa.Connection,
    metadata: sa.MetaData,
    where: Callable[[Any], Any],
    columns: tuple[str, ...] | None = None,
) -> None:
    """Recompute the kept columns (or only ``columns``: a migration fills the ones it adds)."""
    deal = metadata.tables["deal"]
    values = _values(metadata)
    if columns is not None:
        values = {name: values[name] for name in columns}
    connection.execute(sa.update(deal).where(where(deal.c.id)).values(**values))


def refresh_ids(connection: sa.Connection, metadata: sa.MetaData, ids: Iterable[int]) -> None:
    statement = _by_ids(metadata)
    for batch in chunks(ids):
        connection.execute(statement, {"ids": batch})


@lru_cache(maxsize=2)
def _by_ids(metadata: sa.MetaData) -> Any:
    """Built once: it runs on every flush that touches a deal."""
    deal = metadata.tables["deal"]
    return (
        sa.update(deal).where(deal.c.id.in_(sa.bindparam("ids", expanding=True))).values(**_values(metadata))
    )


def stale(connection: sa.Connection, metadata: sa.MetaData) -> list[int]:
    """The deals whose kept columns differ from what their LOIs and follow-ups say."""
    deal = metadata.tables["deal"]
    differs = sa.or_(*(deal.c[name].is_distinct_from(value) for name, value in _values(metadata).items()))
    return [
        int(i) for i in connection.execute(sa.select(deal.c.id).where(differs).order_by(deal.c.id)).scalars()
    ]
