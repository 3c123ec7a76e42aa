"""Every write about rates: storing them, and the snapshot each LOI and funding keeps.

A snapshot is the record's amount in the base currency at the rate of the record's own day (the
nearest earlier stored rate, never a later one). It is taken when the record is saved; a record
saved before its rate existed is filled once, when the rate arrives (``irp fx update``/``set``);
after that it changes only through :func:`resnapshot`, on purpose, with an audit row for each
record it changes. Snapshot writes by rate arrival and re-snapshots go straight to the columns
(they are not the record's edits: its version stays, so nobody's open form is made stale), and
the funnel's running totals follow through :func:`~ir_pipeline.summaries.tracking.touch`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import audit
from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.config import base_currency
from ir_pipeline.errors import Invalid
from ir_pipeline.fx import stored
from ir_pipeline.fx.rates import MANUAL, Rate, RateBook, check_rate, convert_minor, identity
from ir_pipeline.models import AuditAction, Funding, FxRate, LetterOfIntent
from ir_pipeline.models.base import table_of
from ir_pipeline.money import MAX_MINOR, Money, format_symbol
from ir_pipeline.services.common import start_write
from ir_pipeline.summaries import tracking
from ir_pipeline.text import plural

#: The snapshot columns, in the order :func:`snapshot_of` gives them.
COLUMNS = ("fx_base", "fx_rate", "fx_day", "fx_source", "converted_minor")
Snapshot = tuple[str, Decimal, date, str, int]


def stored_conversion(amount_minor: int, currency: str, rate: Decimal, day: date, base: str) -> int:
    """``amount`` converted for a record's snapshot, refused (one line, nothing written) when the
    result is more than the column holds: a mistyped rate must not make records unsavable by an
    overflow deep in the driver."""
    converted = convert_minor(amount_minor, currency, rate, base)
    if abs(converted) > MAX_MINOR:
        amount = format_symbol(Money.from_minor(amount_minor, currency))
        raise Invalid(
            f"{amount} at the {currency}/{base} rate of {day.isoformat()} ({rate}) is more than one"
            f" {base} amount can hold: check that rate (`irp fx list {currency}`) and set it again",
            field="rate",
        )
    return converted


def snapshot_of(rate: Rate | None, amount_minor: int, currency: str, base: str) -> Snapshot | None:
    """The snapshot columns for an amount converted with ``rate`` (``None``: no rate yet)."""
    if rate is None:
        return None
    converted = stored_conversion(amount_minor, currency, rate.rate, rate.day, base)
    return (base, rate.rate, rate.day, rate.source, converted)


def rate_for(session: Session, currency: str, day: date, base: str) -> Rate | None:
    return identity(currency, day) if currency == base else stored.nearest(session, currency, base, day)


def book_rate(book: RateBook, currency: str, day: date, base: str) -> Rate | None:
    """The same choice as :func:`rate_for`, from rates read beforehand (imports, fills)."""
    return identity(currency, day) if currency == base else book.nearest(currency, base, day)


def _day_of(record: LetterOfIntent | Funding) -> date:
    return record.received_on if isinstance(record, LetterOfIntent) else record.closed_on


def apply_snapshot(session: Session, record: LetterOfIntent | Funding, *, retake: bool) -> None:
    """Set ``record``'s snapshot as it is saved: taken anew when ``retake`` (a new record, or one
    whose currency or day changed) or when it has none; otherwise its kept rate converts the
    (perhaps corrected) amount again, so a typo fixed never moves the rate."""
    base = base_currency()
    if not retake and record.fx_rate is not None and record.fx_base is not None:
        record.converted_minor = stored_conversion(
            record.amount_minor,
            record.currency,
            record.fx_rate,
            record.fx_day or _day_of(record),
            record.fx_base,
        )
        return
    snap = snapshot_of(
        rate_for(session, record.currency, _day_of(record), base), record.amount_minor, record.currency, base
    )
    values: tuple[Any, ...] = snap if snap is not None else (None,) * len(COLUMNS)
    for name, value in zip(COLUMNS, values, strict=True):
        setattr(record, name, value)


# -- rates ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoreReport:
    added: int
    changed: int
    unchanged: int
    #: Records that had no snapshot and got one from these rates.
    filled: int
    #: Records whose snapshot uses an older rate than one now stored for their day.
    stale: int

    def text(self) -> str:
        """``5 rates added, 0 changed, 0 already stored; 3 records got …``: for CLI and TUI."""
        line = f"{plural(self.added, 'rate')} added, {self.changed} changed, {self.unchanged} already stored"
        if self.filled:
            line += f"; {plural(self.filled, 'record')} got the snapshot they were waiting for"
        if self.stale:
            line += (
                f"; {plural(self.stale, 'record')} keep an older rate than one now stored for their day"
                " (irp fx resnapshot takes them again)"
            )
        return line

    def as_json(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "filled": self.filled,
            "stale": self.stale,
        }


#: A rate this many times (or this many times less than) the pair's stored rate of an earlier
#: day is refused as a typo or a wrong unit, unless forced: real rates move by percents.
PLAUSIBLE = Decimal(10) ** 6


def _check_plausible(session: Session, wanted: dict[tuple[str, str, date], Rate]) -> None:
    for (base, quote, day), rate in sorted(wanted.items()):
        before = stored.nearest(session, base, quote, day - timedelta(days=1))
        if before is None or before.rate <= 0:
            continue
        factor = rate.rate / before.rate
        if not 1 / PLAUSIBLE <= factor <= PLAUSIBLE:
            raise Invalid(
                f"{base}/{quote} {format(rate.rate, 'f')} on {day.isoformat()} is {factor:.3g} times the"
                f" stored rate of {before.day.isoformat()} ({format(before.rate, 'f')}): refused as"
                " implausible; if it is right, store it with --force",
                field="rate",
            )


def store_rates(session: Session, *, actor: Actor, rates: Iterable[Rate], force: bool = False) -> StoreReport:
    """Store checked rates (one per pair and day; a new value for a stored day replaces it, and
    the audit trail keeps the old), then fill the snapshots that were waiting for them. A rate
    more than :data:`PLAUSIBLE` times off the pair's earlier one is refused unless ``force``."""
    start_write(session, actor, "store exchange rates")
    wanted = {(r.base, r.quote, r.day): r for r in rates}
    if not force:
        _check_plausible(session, wanted)
    added = changed = unchanged = 0
    if wanted:
        days = [key[2] for key in wanted]
        existing = {
            (row.base, row.quote, row.day): row
            for row in session.exec(
                select(FxRate).where(
                    col(FxRate.base).in_({k[0] for k in wanted}),
                    col(FxRate.quote).in_({k[1] for k in wanted}),
                    col(FxRate.day) >= min(days),
                    col(FxRate.day) <= max(days),
                )
            ).all()
        }
        now = utcnow()
        for key, rate in sorted(wanted.items()):
            row = existing.get(key)
            if row is None:
                session.add(
                    FxRate(
                        base=rate.base,
                        quote=rate.quote,
                        day=rate.day,
                        rate=rate.rate,
                        source=rate.source,
                        fetched_at=now,
                        fetched_by=actor.name,
                        created_at=now,
                        updated_at=now,
                    )
                )
                added += 1
            elif row.rate != rate.rate or row.source != rate.source:
                row.rate, row.source, row.fetched_at, row.fetched_by = rate.rate, rate.source, now, actor.name
                row.updated_at = now
                changed += 1
            else:
                unchanged += 1
        session.flush()
    filled = fill_missing(session, actor=actor)
    return StoreReport(added, changed, unchanged, filled, count_stale(session))


def set_rate(
    session: Session,
    *,
    actor: Actor,
    currency: str,
    rate: Decimal,
    day: date,
    base: str | None = None,
    force: bool = False,
) -> StoreReport:
    """``irp fx set USD 1380.25 --date 2018-09-19``: one USD was worth 1,380.25 of the base."""
    start_write(session, actor, "store exchange rates")
    checked = check_rate(currency, base or base_currency(), day, rate, MANUAL)
    return store_rates(session, actor=actor, rates=[checked], force=force)


# -- snapshots -------------------------------------------------------------------------------------

_KINDS: tuple[tuple[type[LetterOfIntent] | type[Funding], str], ...] = (
    (LetterOfIntent, "received_on"),
    (Funding, "closed_on"),
)


def _describe(values: Iterable[Any]) -> str | None:
    base, rate, day, source, converted = values
    if base is None:
        return None
    return f"{format(rate, 'f')} {base} on {day.isoformat() if day else '?'} ({source}) = {converted} minor"


def _rewrite(
    session: Session,
    *,
    actor: Actor,
    kind: type[LetterOfIntent] | type[Funding],
    day_column: str,
    where: Any,
    book: RateBook,
    base: str,
    only_missing: bool,
    batch: str,
) -> int:
    """Take the snapshot of every ``kind`` row matching ``where`` from ``book``; write the ones
    that differ from what is stored, each with its audit row. Returns how many were written."""
    table = table_of(kind)
    rows = session.execute(
        sa.select(
            table.c.id,
            table.c.deal_id,
            table.c.currency,
            table.c[day_column],
            table.c.amount_minor,
            *(table.c[name] for name in COLUMNS),
        ).where(where)
    ).all()
    changes: list[dict[str, Any]] = []
    trail: list[dict[str, Any]] = []
    now = utcnow()
    for ident, deal_id, currency, day, amount, *old in rows:
        snap = snapshot_of(book_rate(book, currency, day, base), amount, currency, base)
        if snap is None or tuple(old) == snap:
            continue
        changes.append({"row_id": ident, **dict(zip(COLUMNS, snap, strict=True))})
        trail.append(
            {
                "at": now,
                "actor": actor.name,
                "action": AuditAction.UPDATE,
                "table_name": table.name,
                "record_id": ident,
                "deal_id": deal_id,
                "field": "fx_snapshot",
                "old_value": _describe(old),
                "new_value": _describe(snap),
                "version": None,
                "batch_id": batch,
            }
        )
    if not changes:
        return 0
    tracking.touch(session, {entry["deal_id"] for entry in trail})
    guard = table.c.fx_base.is_(None) if only_missing else sa.true()
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"), guard)
        .values({name: sa.bindparam(name) for name in COLUMNS})
    )
    if audit.database_writes_trail(session.connection()):
        with audit.database_batch(session, batch):  # the database's trigger writes the same rows
            session.connection().execute(statement, changes)
        return len(changes)
    session.connection().execute(statement, changes)
    session.connection().execute(audit.audit_table().insert(), trail)
    return len(changes)


def fill_missing(session: Session, *, actor: Actor) -> int:
    """Give every record without a snapshot the one its day's rate now allows (once)."""
    base = base_currency()
    book = stored.load_book(session, quotes={base})
    batch = f"fx-fill-{uuid4().hex[:12]}"
    total = 0
    for kind, day_column in _KINDS:
        table = table_of(kind)
        total += _rewrite(
            session,
            actor=actor,
            kind=kind,
            day_column=day_column,
            where=table.c.fx_base.is_(None),
            book=book,
            base=base,
            only_missing=True,
            batch=batch,
        )
    return total


@dataclass(frozen=True, slots=True)
class ResnapshotReport:
    checked: int
    changed: int
    batch_id: str

    def as_json(self) -> dict[str, int | str]:
        return {"checked": self.checked, "changed": self.changed, "batch_id": self.batch_id}


def resnapshot(session: Session, *, actor: Actor, since: date | None = None) -> ResnapshotReport:
    """Take every snapshot again (of records dated ``since`` or later) from the rates stored now
    and in today's base currency: on purpose, each change in the audit trail under one batch id."""
    start_write(session, actor, "re-take rate snapshots")
    base = base_currency()
    book = stored.load_book(session, quotes={base})
    batch = f"fx-resnap-{uuid4().hex[:12]}"
    checked = changed = 0
    for kind, day_column in _KINDS:
        table = table_of(kind)
        where = sa.true() if since is None else table.c[day_column] >= since
        checked += int(
            session.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
        )
        changed += _rewrite(
            session,
            actor=actor,
            kind=kind,
            day_column=day_column,
            where=where,
            book=book,
            base=base,
            only_missing=False,
            batch=batch,
        )
    return ResnapshotReport(checked=checked, changed=changed, batch_id=batch)


def count_stale(session: Session) -> int:
    """Records whose snapshot is of an earlier day than a rate now stored for their own day, whose
    rate's day now has another value, or in another base than today's: ``irp fx resnapshot``
    would change them."""
    base = base_currency()
    rate = table_of(FxRate)
    total = 0
    for kind, day_column in _KINDS:
        table = table_of(kind)
        better = sa.exists().where(
            rate.c.base == table.c.currency,
            rate.c.quote == base,
            rate.c.day >= table.c.fx_day,
            rate.c.day <= table.c[day_column],
            # a later day's rate, or the same day's with another value (both stored as exact text)
            (rate.c.day > table.c.fx_day) | (rate.c.rate != table.c.fx_rate),
        )
        total += int(
            session.execute(
                sa.select(sa.func.count())
                .select_from(table)
                # a record in the base currency needs no rate: only the others look for a better one
                .where(
                    table.c.fx_base.is_not(None),
                    (table.c.fx_base != base) | ((table.c.currency != base) & better),
                )
            ).scalar_one()
        )
    return total
