"""The funnel's converted figures: one total in one currency beside each per-currency total.

In the base currency (``IRP_BASE_CURRENCY``) they come from each record's snapshot: from the
running totals where the funnel reads them (everything, one event, one startup, one investor),
from the rows otherwise, the two holding the same sums. Records without a snapshot in that
currency are listed as missing, never counted as zero. In any other currency (``--base USD`` for
a foreign investor) each record is converted from the stored rates of its own day, across the
base currency where no direct rate is stored, record by record with the same rounding rule
(:mod:`ir_pipeline.fx.rates`); that reads the rows, so it costs time in proportion to them.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.config import base_currency
from ir_pipeline.fx import stored
from ir_pipeline.fx.converted import ConvertedSum
from ir_pipeline.fx.rates import Rate, RateBook, conversion, convert_minor
from ir_pipeline.models import Deal, Funding, FunnelRate, FunnelSum, LetterOfIntent
from ir_pipeline.queries.funnel import Funnel, FunnelFilter, RankedTotal, scoped
from ir_pipeline.queries.funnel_cells import member_cells
from ir_pipeline.queries.sums import joined, minor_sum
from ir_pipeline.stages import Stage
from ir_pipeline.summaries.contributions import ALL, FUNDING_RATES, LOI_RATES, MEMBER_SCOPES, Measure

#: One group of records: their stage (or member, or ``None``), currency, snapshot base, how
#: many, their amount and their converted amount (both in minor units).
Group = tuple[Any, str, str | None, int, int, int]


def _narrowed(actor: Actor, flt: FunnelFilter) -> bool:
    return actor.startup_scope is not None or any(
        v is not None for v in (flt.event_id, flt.startup_id, flt.investor_id)
    )


def _add(sums: dict[Any, ConvertedSum], groups: Iterable[Group], target: str) -> None:
    for key, currency, base, n, amount, converted in groups:
        into = sums.setdefault(key, ConvertedSum(target))
        if base == target:
            into.add(converted)
        else:
            into.lack(currency, n, amount)


# -- from snapshots ------------------------------------------------------------------------------


def _row_groups(
    session: Session, table: Any, key: Any, actor: Actor, flt: FunnelFilter, where: Any = None
) -> list[Group]:
    query = (
        sa.select(
            key,
            table.currency,
            table.fx_base,
            sa.func.count(),
            *minor_sum(col(table.amount_minor)),
            *minor_sum(col(table.converted_minor)),
        )
        .select_from(table)
        .join(Deal, col(Deal.id) == table.deal_id)
    )
    if where is not None:
        query = query.where(where)
    rows = session.execute(
        scoped(query, actor, flt).group_by(key, col(table.currency), col(table.fx_base))
    ).all()
    return [(k, c, b, int(n), joined(h, lo), joined(ch, cl)) for k, c, b, n, h, lo, ch, cl in rows]


def _cell_groups(session: Session, scope: tuple[str, int], target: str) -> tuple[list[Group], list[Group]]:
    """LOI groups by stage and funding groups from the running totals: the covered part of each
    (stage, currency) in ``target``, and the rest as not converted."""
    t: Any = FunnelSum.__table__  # type: ignore[attr-defined]
    measures = [
        Measure.LOIS,
        Measure.FUNDINGS,
        Measure.LOIS_CONVERTED,
        Measure.LOIS_COVERED,
        Measure.FUNDINGS_CONVERTED,
        Measure.FUNDINGS_COVERED,
    ]
    totals: dict[tuple[str, str, str], list[int]] = {}
    for measure, stage, currency, status, n, hi, lo in session.execute(
        sa.select(
            t.c.measure, t.c.stage, t.c.currency, t.c.status, t.c.n, t.c.amount_hi, t.c.amount_lo
        ).where(
            t.c.scope == scope[0],
            t.c.scope_id == scope[1],
            t.c.measure.in_([m.value for m in measures]),
            t.c.n != 0,
        )
    ).all():
        if measure in (Measure.LOIS, Measure.FUNDINGS):
            key = (measure, stage, currency)
        elif currency == target:  # converted cells: the base in `currency`, the original in `status`
            key = (measure, stage, status)
        else:
            continue
        cell = totals.setdefault(key, [0, 0])
        cell[0] += int(n)
        cell[1] += joined(hi, lo)
    out: dict[str, list[Group]] = {Measure.LOIS: [], Measure.FUNDINGS: []}
    pairs = {
        Measure.LOIS: (Measure.LOIS_CONVERTED, Measure.LOIS_COVERED),
        Measure.FUNDINGS: (Measure.FUNDINGS_CONVERTED, Measure.FUNDINGS_COVERED),
    }
    for (measure, stage, currency), (n, amount) in totals.items():
        if measure not in pairs:
            continue
        conv_measure, cover_measure = pairs[Measure(measure)]
        covered_n, covered = totals.get((cover_measure, stage, currency), [0, 0])
        converted = totals.get((conv_measure, stage, currency), [0, 0])[1]
        at = Stage(stage) if stage else None
        if covered_n:
            out[measure].append((at, currency, target, covered_n, covered, converted))
        if n - covered_n:
            out[measure].append((at, currency, None, n - covered_n, amount - covered, 0))
    return out[Measure.LOIS], out[Measure.FUNDINGS]


def _rates_used(
    session: Session, table: Any, actor: Actor, flt: FunnelFilter, target: str, currencies: Iterable[str]
) -> list[Rate]:
    """The distinct snapshot rates behind a converted total: for the currencies in it other than
    the target only (none at all when everything is in the target: no query). For all deals, from
    the kept rate cells (``funnel_rate``: one row per currency, day and rate, however many records
    share it); for a narrowed funnel, a DISTINCT over its own records' snapshots."""
    foreign = sorted(c for c in currencies if c != target)
    if not foreign:
        return []
    if not _narrowed(actor, flt):
        r: Any = FunnelRate.__table__  # type: ignore[attr-defined]
        kind = LOI_RATES if table is LetterOfIntent else FUNDING_RATES
        rows = session.execute(
            sa.select(r.c.currency, r.c.rate, r.c.day, r.c.source).where(
                r.c.scope == ALL,
                r.c.scope_id == 0,
                r.c.kind == kind,
                r.c.base == target,
                r.c.currency.in_(foreign),
                r.c.n != 0,
            )
        ).all()
        return [Rate(c, target, d, rate, s) for c, rate, d, s in rows]
    query = (
        select(table.currency, table.fx_rate, table.fx_day, table.fx_source)
        .where(col(table.currency).in_(foreign), table.fx_base == target)
        .distinct()
    )
    query = scoped(query.join(Deal, col(Deal.id) == table.deal_id), actor, flt)
    return [Rate(c, target, d, r, s) for c, r, d, s in session.exec(query).all()]


# -- from the rows, converted now ------------------------------------------------------------------


def _converted_now(
    session: Session,
    table: Any,
    day: Any,
    key: Any,
    actor: Actor,
    flt: FunnelFilter,
    target: str,
    book: RateBook,
    via: str,
    where: Any = None,
) -> dict[Any, ConvertedSum]:
    """Each record converted to ``target`` from the stored rates of its own day (records with
    the same key, currency, day and amount share one conversion, counted as many times)."""
    query = (
        sa.select(key, table.currency, day, table.amount_minor, sa.func.count())
        .select_from(table)
        .join(Deal, col(Deal.id) == table.deal_id)
    )
    if where is not None:
        query = query.where(where)
    sums: dict[Any, ConvertedSum] = {}
    for k, currency, on, amount, n in session.execute(
        scoped(query, actor, flt).group_by(key, col(table.currency), day, col(table.amount_minor))
    ).all():
        into = sums.setdefault(k, ConvertedSum(target))
        how = conversion(book, currency, target, on, via=via)
        if how is None:
            into.lack(currency, int(n), int(amount) * int(n))
            continue
        into.add(convert_minor(int(amount), currency, how.factor, target) * int(n))
        into.rates.update(r for r in how.rates if r.base != r.quote)
    return sums


def _total(sums: dict[Any, ConvertedSum], target: str) -> ConvertedSum:
    total = ConvertedSum(target)
    for part in sums.values():
        total.minor += part.minor
        for currency, (n, minor, known) in part.missing.items():
            total.lack(currency, n, minor if known else None)
        total.rates |= part.rates
    return total


def attach(
    session: Session,
    funnel: Funnel,
    *,
    actor: Actor,
    flt: FunnelFilter,
    target: str | None = None,
    scope: tuple[str, int] | None = None,
) -> Funnel:
    """``funnel`` with its converted figures in ``target`` (the base currency by default)."""
    base = base_currency()
    target = target or base
    L, F = LetterOfIntent, Funding
    stage_key, none_key = col(Deal.stage), sa.literal(None)
    if target == base:
        if scope is not None:
            loi_groups, fund_groups = _cell_groups(session, scope, target)
        else:
            loi_groups = _row_groups(session, L, stage_key, actor, flt)
            fund_groups = _row_groups(session, F, none_key, actor, flt)
        by_stage: dict[Any, ConvertedSum] = {}
        _add(by_stage, loi_groups, target)
        funded: dict[Any, ConvertedSum] = {}
        _add(funded, fund_groups, target)
        loi_rates = _rates_used(session, L, actor, flt, target, funnel.lois.total)
        fund_rates = _rates_used(session, F, actor, flt, target, funnel.funded.total)
        via = None
    else:
        book = stored.load_book(session)
        by_stage = _converted_now(session, L, col(L.received_on), stage_key, actor, flt, target, book, base)
        funded = _converted_now(session, F, col(F.closed_on), none_key, actor, flt, target, book, base)
        loi_rates = [r for s in by_stage.values() for r in s.rates]
        fund_rates = [r for s in funded.values() for r in s.rates]
        via = base
    total = _total(by_stage, target)
    total.rates = set(loi_rates)
    money = _total(funded, target)
    money.rates = set(fund_rates)
    stages = [
        dataclasses.replace(
            figures, converted=by_stage.get(figures.stage, ConvertedSum(target)).build(via=via)
        )
        for figures in funnel.stages
    ]
    return dataclasses.replace(
        funnel,
        stages=stages,
        lois=dataclasses.replace(funnel.lois, converted=total.build(via=via)),
        funded=dataclasses.replace(funnel.funded, converted=money.build(via=via)),
        by_startup=_ranked(
            session, funnel.by_startup, "startup", actor, flt, target, base, scope, total, money
        ),
        by_investor=_ranked(
            session, funnel.by_investor, "investor", actor, flt, target, base, scope, total, money
        ),
        base=target,
    )


def _ranked(
    session: Session,
    ranked: list[RankedTotal],
    by: str,
    actor: Actor,
    flt: FunnelFilter,
    target: str,
    base: str,
    scope: tuple[str, int] | None,
    total: ConvertedSum,
    money: ConvertedSum,
) -> list[RankedTotal]:
    """The rankings' converted LOI and funded totals, for the few startups or investors listed:
    in the base currency from the running totals where they keep them (everything, one event),
    the scope's own figures for the one company a startup's or investor's funnel ranks alone, and
    from those few deals' rows otherwise."""
    if not ranked:
        return ranked
    key: Any = col(Deal.startup_id) if by == "startup" else col(Deal.investor_id)
    ids = [r.id for r in ranked]
    L, F = LetterOfIntent, Funding
    where = key.in_(ids)
    lois: dict[Any, ConvertedSum] = {}
    funds: dict[Any, ConvertedSum] = {}
    if target == base and scope is not None and scope[0] == ("s" if by == "startup" else "i"):
        # the scope's company, ranked alone: the scope's own sums, without the rates the scope's
        # total lists (in the base currency no ranking row lists them, as the rows' way shows)
        lois, funds = {scope[1]: _sums_only(total)}, {scope[1]: _sums_only(money)}
    elif target == base and scope is not None and scope[0] in MEMBER_SCOPES:
        lois = _member_sums(session, scope, by, ranked, actor, flt, target, funded=False)
        funds = _member_sums(session, scope, by, ranked, actor, flt, target, funded=True)
    elif target == base:
        _add(lois, _row_groups(session, L, key, actor, flt, where), target)
        _add(funds, _row_groups(session, F, key, actor, flt, where), target)
    else:
        book = stored.load_book(session)
        lois = _converted_now(session, L, col(L.received_on), key, actor, flt, target, book, base, where)
        funds = _converted_now(session, F, col(F.closed_on), key, actor, flt, target, book, base, where)
    via = None if target == base else base
    return [
        dataclasses.replace(
            r,
            converted=lois.get(r.id, ConvertedSum(target)).build(via=via),
            funded_converted=funds.get(r.id, ConvertedSum(target)).build(via=via),
        )
        for r in ranked
    ]


def _sums_only(total: ConvertedSum) -> ConvertedSum:
    """``total`` without the rates it lists (a copy: the total itself still lists them)."""
    sums = copy.copy(total)
    sums.rates = set()
    return sums


def _member_sums(
    session: Session,
    scope: tuple[str, int],
    by: str,
    ranked: list[RankedTotal],
    actor: Actor,
    flt: FunnelFilter,
    target: str,
    *,
    funded: bool,
) -> dict[Any, ConvertedSum]:
    """Per listed startup (investor), the converted sum kept in its member cells; only where some
    of its records have no snapshot in ``target`` are those few read from the rows (through the
    currency index: records not in ``target`` without a snapshot in it) to list what is missing."""
    measure = {
        ("startup", False): Measure.STARTUP_LOIS_CONVERTED,
        ("investor", False): Measure.INVESTOR_LOIS_CONVERTED,
        ("startup", True): Measure.STARTUP_FUNDINGS_CONVERTED,
        ("investor", True): Measure.INVESTOR_FUNDINGS_CONVERTED,
    }[(by, funded)]
    ids = [r.id for r in ranked]
    sums: dict[Any, ConvertedSum] = {i: ConvertedSum(target) for i in ids}
    covered: dict[int, int] = {}
    for member, _currency, n, hi, lo in member_cells(session, scope, measure, [target], ids):
        sums[int(member)].add(joined(hi, lo))
        covered[int(member)] = int(n)
    if funded:  # a ranking row keeps the fundings' total, not their count: the member cells do
        every = Measure.STARTUP_FUNDINGS if by == "startup" else Measure.INVESTOR_FUNDINGS
        currencies = sorted({c for r in ranked for c in r.funded})
        counts: dict[int, int] = {}
        for member, _currency, n, _hi, _lo in member_cells(session, scope, every, currencies, ids):
            counts[int(member)] = counts.get(int(member), 0) + int(n)
        short = [r.id for r in ranked if covered.get(r.id, 0) < counts.get(r.id, 0)]
    else:
        short = [r.id for r in ranked if covered.get(r.id, 0) < r.lois]
    if not short:
        return sums
    table: Any = Funding if funded else LetterOfIntent
    key: Any = col(Deal.startup_id) if by == "startup" else col(Deal.investor_id)
    foreign = sorted(
        {c for r in ranked if r.id in short for c in (r.funded if funded else r.total) if c != target}
    )
    if not foreign:
        return sums
    query = (
        sa.select(key, table.currency, sa.func.count(), *minor_sum(col(table.amount_minor)))
        .select_from(table)
        .join(Deal, col(Deal.id) == table.deal_id)
        .where(
            col(table.currency).in_(foreign),
            sa.or_(col(table.fx_base).is_(None), table.fx_base != target),
            key.in_(short),
        )
        .group_by(key, col(table.currency))
    )
    for member, currency, n, hi, lo in session.execute(scoped(query, actor, flt)).all():
        sums[int(member)].lack(currency, int(n), joined(hi, lo))
    return sums
