"""The keyset walk behind every paged listing (pipeline, follow-up queue, LOIs, exports).

A sort is one or more *runs*, each the rows matching one condition in the order of one index
(the pipeline's empty values come after the others; stages in pipeline order; the follow-up queue's
closed items after the open ones). A page reads run after run until it holds ``limit`` rows, and
its cursor says which run it stopped in, with the last row's sort value and id, so the next page
starts right there through the same index: page 10,000 costs what page 1 does, and no row is
skipped or repeated when rows are added between pages.

One walker serves every listing, so the rules (cursor checked against the sort, an offset carried
across runs, counts capped at :data:`COUNT_CAP`) are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ir_pipeline.errors import Invalid
from ir_pipeline.queries.cursor import COUNT_CAP, Cursor, Value


@dataclass(frozen=True, slots=True)
class Run:
    """The rows matching ``where``, ordered by ``keys`` (sort value columns, then the unique id).

    ``value_type`` is the type of the cursor's value in this run (``None`` when the run is ordered
    by the id alone, and the cursor carries no value).
    """

    where: Any
    keys: tuple[Any, ...]
    value_type: type | None = None


@dataclass(frozen=True, slots=True)
class Walked:
    #: (index of the run, row) for each row of the page, in order.
    rows: list[tuple[int, Any]]
    #: Where the next page starts; ``None`` on the last page.
    next_after: str | None


def walk(
    session: Session,
    query: Any,
    runs: Sequence[Run],
    *,
    key_of: Callable[[Any], tuple[Value, int]],
    after: str | None = None,
    offset: int = 0,
    limit: int = 100,
    descending: bool = False,
    listing: str = "listing",
    rows_of: Callable[[Any], Any] | None = None,
) -> Walked:
    """One page of ``query`` along ``runs``, starting after the cursor ``after`` (or ``offset``
    rows down, which costs as many rows as it skips). ``key_of(row)`` gives a row's sort value and
    id, for the cursor. A cursor that does not belong to these runs (it came from the command
    line, or from another sort) is refused in words.

    ``rows_of(page)``, given one page of ``query`` as a subquery, selects the rows to show for it
    (joined to their names), so the walk itself stays on one table and the joins are made for
    one page's rows only, in the same statement."""
    cursor = Cursor.decode(after) if after else None
    if cursor is not None and not _fits(cursor, runs):
        raise Invalid(f"that cursor belongs to another {listing}", field="after")
    found: list[tuple[int, Any]] = []
    skip = 0 if cursor else max(offset, 0)
    for index in range(cursor.part if cursor else 0, len(runs)):
        run = runs[index]
        start = cursor if cursor and index == cursor.part else None
        wanted = limit + 1 - len(found)
        if not skip and _spans_tables(run):
            rows = _windowed(session, query.where(run.where), run, start, descending, wanted, rows_of)
        else:
            page = _ordered(query.where(run.where), run, start, descending)
            rows = _fetch(session, page.offset(skip).limit(wanted), run, descending, rows_of)
        if skip:
            # rows found: the offset ended in this run; none: it skipped the whole run
            skip = 0 if rows else skip - capped_count(session, query.where(run.where), run.keys[-1], skip)[0]
        found += [(index, r) for r in rows]
        if len(found) > limit:
            break
    page_rows = found[:limit]
    next_after = None
    if len(found) > limit and page_rows:
        index, last = page_rows[-1]
        value, ident = key_of(last)
        next_after = Cursor(index, value if runs[index].value_type is not None else None, int(ident)).encode()
    return Walked(page_rows, next_after)


def _ordered(query: Any, run: Run, after: Cursor | None, descending: bool) -> Any:
    keys = run.keys
    if after is not None:
        last = [after.value, after.id] if run.value_type is not None else [after.id]
        # bound with each column's own type (UTC instants are stored naive on SQLite)
        marks = [sa.literal(v, k.type) for v, k in zip(last, keys, strict=True)]
        row, mark = sa.tuple_(*keys), sa.tuple_(*marks)
        query = query.where(row < mark if descending else row > mark)
    return query.order_by(*(k.desc() if descending else k.asc() for k in keys))


#: How many values of a cross-table sort's leading column the first window of a page spans.
WINDOW = 128


def _spans_tables(run: Run) -> bool:
    return run.value_type is not None and len({getattr(k, "table", None) for k in run.keys}) > 1


def _fetch(
    session: Session, page: Any, run: Run, descending: bool, rows_of: Callable[[Any], Any] | None
) -> list[Any]:
    """The rows of one page: ``page`` itself, or what ``rows_of`` makes of it, in the same order."""
    if rows_of is None:
        return list(session.execute(page).all())
    keyed = page.subquery()
    order = [keyed.corresponding_column(k) for k in run.keys]
    outer = rows_of(keyed).order_by(*(k.desc() if descending else k.asc() for k in order))
    return list(session.execute(outer).all())


def _windowed(
    session: Session,
    query: Any,
    run: Run,
    after: Cursor | None,
    descending: bool,
    wanted: int,
    rows_of: Callable[[Any], Any] | None,
) -> list[Any]:
    """A run whose sort starts with another table's column (the startup's name, then the deal's
    id), read a window of that column's values at a time.

    No one index holds both keys, so the database must join its way along the name's index; told
    only "names from here on", PostgreSQL judged a pass over every deal cheaper (a far page took a
    fifth of a second at a million deals). Bounded on both sides the range is small and plainly
    so, and it is read through the deals' foreign-key index. A window that falls short of the page
    (a filter leaves few deals per name) is followed by one four times wider.
    """
    lead = run.keys[0]
    lower: Any = None if after is None else sa.literal(after.value, lead.type)
    size = WINDOW
    rows: list[Any] = []
    while True:
        edge = sa.select(lead).order_by(lead.desc() if descending else lead.asc())
        if lower is not None:
            edge = edge.where(lead <= lower if descending else lead >= lower)
        # the value `size` names further on: this window ends just before it (None: at the end)
        upper = session.execute(edge.offset(size).limit(1)).scalar()
        page = _ordered(query, run, after, descending)
        if lower is not None:
            page = page.where(lead <= lower if descending else lead >= lower)
        if upper is not None:
            page = page.where(lead > upper if descending else lead < upper)
        rows += _fetch(session, page.limit(wanted - len(rows)), run, descending, rows_of)
        if len(rows) >= wanted or upper is None:
            return rows
        lower, size = sa.literal(upper, lead.type), size * 4


def _fits(cursor: Cursor, runs: Sequence[Run]) -> bool:
    """Whether a cursor (untrusted) has a run of these and a value of that run's type."""
    if cursor.part >= len(runs):
        return False
    wanted = runs[cursor.part].value_type
    if wanted is None:
        return cursor.value is None
    if wanted is date:  # a datetime is a date too, in Python
        return type(cursor.value) is date
    if wanted is datetime:
        return isinstance(cursor.value, datetime)
    return isinstance(cursor.value, wanted) and not isinstance(cursor.value, bool)


def capped_count(session: Session, query: Any, id_column: Any, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows ``query`` has, counting no further than ``cap`` + 1, and whether that is exact
    (a listing says "10,000+" rather than count a million rows on every page)."""
    limited = query.with_only_columns(id_column).order_by(None).limit(cap + 1).subquery()
    n = int(session.execute(sa.select(sa.func.count()).select_from(limited)).scalar_one())
    return min(n, cap), n <= cap
