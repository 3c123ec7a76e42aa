"""The pipeline's name search: the matching companies first, then their deals.

A search names startups and investors, not deals, and the company tables are small (thousands of
rows where the pipeline has a million). So the companies whose names contain the key are found
first, through the trigram indexes (:mod:`ir_pipeline.name_index`), and their ids are handed to the
deal query as plain values, where the planner can count them: a subquery in their place leaves
PostgreSQL guessing, and it guessed wrong (a pass over every deal for a 50-deal search).

How the deals are then read depends on how many there are, which the running totals tell before
any deal is read (:func:`estimate`):

- *few* (a company, a handful): straight through the foreign-key indexes, then sorted. The cost
  follows the number of matching deals, not the size of the pipeline.
- *many* (a key that names one company in twenty): along the sort's own index, keeping the rows
  that match, until the page is full. One row in twenty matches, so a page costs twenty pages of
  index, again whatever the size of the pipeline. Sorting fifty thousand matches first would not.

The crossover is where the two cost the same: about √(page × pipeline) matching deals.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ir_pipeline import name_index
from ir_pipeline.models import Deal, FunnelSum, Investor, Startup
from ir_pipeline.naming import name_key
from ir_pipeline.queries.cursor import COUNT_CAP
from ir_pipeline.stages import Stage
from ir_pipeline.summaries.contributions import ALL, INVESTOR, STARTUP, Measure
from ir_pipeline.text import like_pattern

#: More companies than this on one side and the search is broad by any measure: their deals are
#: matched through a subquery instead of a list of ids, and counted at least, not exactly.
MAX_IDS = 5_000


@dataclass(frozen=True, slots=True)
class Side:
    """The startups (or investors) a search names: the first ids found (at most
    :data:`MAX_IDS` + 1) and a query for all of them."""

    ids: tuple[int, ...]
    query: Any
    dialect: str

    @property
    def complete(self) -> bool:
        return len(self.ids) <= MAX_IDS

    def test(self, column: Any) -> Any:
        """``column`` holds one of these companies."""
        if not self.complete:
            return column.in_(self.query)
        return among(column, self.ids, self.dialect) if self.ids else sa.false()


def among(column: Any, ids: tuple[int, ...], dialect: str) -> Any:
    """``column`` is one of ``ids``, sent as one parameter (an array, or JSON on SQLite), not a
    thousand: binding and compiling each of them separately cost more than the query itself."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(None, list(ids), type_=ARRAY(sa.Integer)))
    if dialect == "sqlite":
        values = sa.func.json_each(sa.bindparam(None, json.dumps(ids))).table_valued("value")
        return column.in_(sa.select(values.c.value))
    return column.in_(ids)


@dataclass(frozen=True, slots=True)
class Named:
    startups: Side
    investors: Side
    stage: Stage | None
    #: From the running totals, at ``stage`` (or all): the deals of the startups listed, of the
    #: investors listed, and of the whole pipeline.
    startup_deals: int
    investor_deals: int
    pipeline_deals: int

    @property
    def complete(self) -> bool:
        return self.startups.complete and self.investors.complete


def find(session: Session, text: str, *, stage: Stage | None = None) -> Named:
    """The startups and investors whose names contain ``text`` (normalised like every name key),
    with how many deals they have at ``stage``."""
    key = name_key(text)
    dialect = session.get_bind().dialect.name
    startups = _side(session, Startup, "s", key, dialect)
    investors = _side(session, Investor, "i", key, dialect)
    deals = _deals(session, {STARTUP: startups.ids, INVESTOR: investors.ids, ALL: (0,)}, stage, dialect)
    return Named(startups, investors, stage, deals[STARTUP], deals[INVESTOR], deals[ALL])


def _deals(
    session: Session, scopes: dict[str, tuple[int, ...]], stage: Stage | None, dialect: str
) -> dict[str, int]:
    """Deals of these scopes (startups, investors, everything), from the running totals, in one
    statement."""
    t: Any = FunnelSum.__table__  # type: ignore[attr-defined]
    parts = []
    for scope, ids in scopes.items():
        if not ids:
            continue
        part = sa.select(sa.literal(scope).label("scope"), sa.func.sum(t.c.n)).where(
            t.c.scope == scope, among(t.c.scope_id, ids, dialect), t.c.measure == Measure.DEALS.value
        )
        parts.append(part if stage is None else part.where(t.c.stage == stage.value))
    # one branch per scope, each through the primary key (an OR of the three reads more)
    query = sa.union_all(*parts)
    found = {str(scope): int(n or 0) for scope, n in session.execute(query).all()}
    return {scope: found.get(scope, 0) for scope in scopes}


def _side(session: Session, model: Any, kind: str, key: str, dialect: str) -> Side:
    scan = sa.select(col(model.id)).where(col(model.name_key).like(like_pattern(key), escape="\\"))
    # The trigram index finds a few names among many at once; when more than MAX_IDS match, the
    # deal query scans the name table instead (on PostgreSQL the planner picks between the two).
    first = name_index.matching(kind, key, dialect)
    found = session.execute((scan if first is None else first).limit(MAX_IDS + 1)).scalars().all()
    return Side(tuple(int(i) for i in found), scan, dialect)


def condition(named: Named, *, many: bool) -> Any:
    """Deals of the named companies: read through the foreign-key indexes (``many`` false), or
    tested row by row along whatever index the sort walks (``many`` true)."""
    startup, investor = col(Deal.startup_id), col(Deal.investor_id)
    if many:
        # ``+ 0`` keeps the planner off the foreign-key indexes: walking the sort's index and
        # keeping one row in twenty is what makes a broad search's page cheap
        return sa.or_(named.startups.test(startup + 0), named.investors.test(investor + 0))
    # a union of two index lookups, so neither side turns the other into a scan
    return col(Deal.id).in_(
        sa.union(
            sa.select(col(Deal.id)).where(named.startups.test(startup)),
            sa.select(col(Deal.id)).where(named.investors.test(investor)),
        )
    )


def many(named: Named, *, page: int) -> bool:
    """Whether the search matches so many deals that walking the sort's index beats sorting them."""
    if not named.complete:
        return True
    matches = named.startup_deals + named.investor_deals
    return matches > math.sqrt(max(page, 1) * max(named.pipeline_deals, 1))


def count(session: Session, named: Named) -> tuple[int, bool] | None:
    """How many deals the search finds in the whole pipeline, and whether exactly, from the
    running totals: the named companies' deals, less those counted on both sides. When too many
    companies match to list, at least the deals of the first ones on either side (``None`` when
    that says less than a capped count would)."""
    startups, investors = named.startup_deals, named.investor_deals
    if not named.complete:
        at_least = max(startups, investors)  # either side's deals are distinct deals
        return (at_least, False) if at_least > COUNT_CAP else None
    if not named.startups.ids or not named.investors.ids:
        return startups + investors, True
    both = sa.select(sa.func.count()).where(
        named.startups.test(col(Deal.startup_id)), named.investors.test(col(Deal.investor_id))
    )
    if named.stage is not None:
        both = both.where(col(Deal.stage) == named.stage)
    return startups + investors - int(session.execute(both).scalar_one()), True
