"""What every kind of import shares: rows checked one by one with every problem collected, names in
the file resolved by the one lookup rule (and cached), dates and amounts parsed once each.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col

from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today
from ir_pipeline.dates import parse_date
from ir_pipeline.errors import Ambiguous, Invalid, IrpError, NotFound
from ir_pipeline.io.imports.bulk import chunks
from ir_pipeline.io.imports.rows import (
    ImportReport,
    Row,
    RowError,
    RowErrors,
    clean_cell,
)
from ir_pipeline.lookup import resolve_event, resolve_investor, resolve_startup
from ir_pipeline.models import Investor, Startup
from ir_pipeline.money import DEFAULT_CURRENCY, Money, parse_currency, parse_money
from ir_pipeline.naming import name_key


class Handler:
    """Per-kind import logic: checks rows, collects problems, writes through batched statements."""

    default_currency = DEFAULT_CURRENCY

    def __init__(self, session: Session, actor: Actor, report: ImportReport) -> None:
        self.session = session
        self.actor = actor
        self.report = report
        self.today = local_today()
        self._startups: dict[str, int | RowError] = {}
        self._investors: dict[str, int | RowError] = {}
        self._events: dict[str, int | RowError] = {}
        # Spreadsheets repeat the same names, amounts and dates thousands of times: parse each once.
        self.key = lru_cache(maxsize=65_536)(name_key)
        self.money = lru_cache(maxsize=8_192)(
            lambda text, currency: parse_money(text, default_currency=currency)
        )
        self.day = lru_cache(maxsize=8_192)(
            lambda text, field: parse_date(text, today=self.today, field=field)
        )

    def run(self, rows: list[Row]) -> None:
        self.prefetch(rows)
        for row in rows:
            self.report.rows += 1
            try:
                self.row(row)
            except RowError as error:
                self.report.add_problem(row.line, error.column, error.message)
            except RowErrors as errors:
                for each in errors.errors:
                    self.report.add_problem(row.line, each.column, each.message)
            except IrpError as error:
                self.report.add_problem(row.line, row.field_column(error.field), str(error))
        self.flush()

    def row(self, row: Row) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def prefetch(self, rows: list[Row]) -> None:
        """Resolve the batch's startup and investor names with one query each (exact keys)."""
        for key, model, cache in (
            ("startup", Startup, self._startups),
            ("investor", Investor, self._investors),
        ):
            if not rows or key not in rows[0].columns:
                continue
            index = rows[0].columns[key]
            cells = {r.cells[index] if index < len(r.cells) else "" for r in rows}
            wanted = {self.key(clean_cell(cell)) for cell in cells} - cache.keys() - {""}
            for chunk in chunks(sorted(wanted), 500):
                for ident, found_key in self.session.execute(
                    sa.select(col(model.id), col(model.name_key)).where(col(model.name_key).in_(chunk))
                ).all():
                    cache[found_key] = ident

    def flush(self) -> None:
        """Write what the batch collected (for kinds that write in bulk)."""

    def finish(self) -> None:
        """Called once at the end of the file."""

    def before_commit(self) -> None:
        """Called once the file is imported without a problem, just before its savepoint commits."""

    # -- references by name, cached, strict --------------------------------------------------

    def startup_id(self, row: Row, key: str = "startup") -> int:
        text = row.required(key)
        cache_key = self.key(text)
        if cache_key not in self._startups:
            self._startups[cache_key] = strict(
                self.session, self.actor, Startup, text, "startup", row.column(key)
            )
        return unwrap(self._startups[cache_key])

    def investor_id(self, row: Row, key: str = "investor") -> int:
        text = row.required(key)
        cache_key = self.key(text)
        if cache_key not in self._investors:
            self._investors[cache_key] = strict(
                self.session, self.actor, Investor, text, "investor", row.column(key)
            )
        return unwrap(self._investors[cache_key])

    def event_id(self, row: Row) -> int | None:
        text = row.text("event")
        if not text:
            return None
        if text not in self._events:
            try:
                event = resolve_event(self.session, text, actor=self.actor)
                assert event.id is not None
                self._events[text] = event.id
            except (NotFound, Ambiguous) as error:
                self._events[text] = RowError(row.column("event"), str(error))
        return unwrap(self._events[text])

    def currency(self, row: Row) -> str | None:
        text = row.text("currency")
        if not text:
            return None
        try:
            return parse_currency(text)
        except Invalid as error:
            raise RowError(row.column("currency"), str(error)) from None

    def amount(self, row: Row) -> Money:
        """The row's amount, in its currency column's currency (or the file's default); more
        than zero, and not in another currency than that column says."""
        currency = self.currency(row)
        try:
            amount: Money = self.money(row.required("amount"), currency or self.default_currency)
        except Invalid as error:
            raise RowError(row.column("amount"), str(error)) from None
        if currency and amount.currency != currency:
            raise RowError(
                row.column("amount"), f"is in {amount.currency} but the currency column says {currency}"
            )
        if amount.amount <= 0:
            raise RowError(row.column("amount"), "must be more than zero")
        return amount

    def date(self, row: Row, key: str) -> date | None:
        return row.parse(key, lambda v: self.day(v, key))  # type: ignore[no-any-return]


def unwrap(value: int | RowError) -> int:
    if isinstance(value, RowError):
        raise value
    return value


def strict(
    session: Session, actor: Actor, model: type[Startup] | type[Investor], text: str, what: str, column: str
) -> int | RowError:
    """A name in a file is found as one typed at the prompt is (:mod:`ir_pipeline.lookup`: exact
    name, 사업자등록번호, id, then a unique partial name), with the same refusal when several match;
    a name that matches nothing says to import the records first."""
    resolve = resolve_startup if model is Startup else resolve_investor
    try:
        found = resolve(session, text, actor=actor)
    except NotFound as error:
        hint = "" if "did you mean" in str(error) else f": import {what}s first, or fix the name"
        return RowError(column, f"{error}{hint}")
    except (Ambiguous, Invalid) as error:
        return RowError(column, str(error))
    assert found.id is not None
    return found.id
