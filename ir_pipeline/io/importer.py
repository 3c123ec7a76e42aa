"""Importing spreadsheets, all or nothing.

A file is read as a stream and written in batches inside one savepoint of the caller's
transaction. Every problem is collected with its line and column; if there is any, or on a dry
run, the savepoint is rolled back and nothing is written. Rows are matched on natural keys
(normalised names, 사업자등록번호, the LOI's deal + date + amount), so importing a file twice
creates nothing the second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import audit
from ir_pipeline.actors import Actor
from ir_pipeline.clock import local_today, utcnow
from ir_pipeline.config import base_currency
from ir_pipeline.countries import parse_country
from ir_pipeline.dates import parse_date
from ir_pipeline.drafts import ContactDraft, EventDraft, FollowUpDraft, InvestorDraft, LoiDraft, StartupDraft
from ir_pipeline.enums import Channel, FollowUpStatus, Instrument, InvestorKind, LoiStatus, parse_choice
from ir_pipeline.errors import Ambiguous, Invalid, IrpError, NotFound
from ir_pipeline.fx import service as fx_service
from ir_pipeline.fx import stored as fx_stored
from ir_pipeline.fx.service import Snapshot, book_rate, snapshot_of
from ir_pipeline.io.columns import KINDS, has_required_columns, label, map_headers
from ir_pipeline.io.readers import open_table
from ir_pipeline.lookup import resolve_event, resolve_investor, resolve_startup
from ir_pipeline.models import Contact, Deal, Event, FollowUp, Investor, LetterOfIntent, StageChange, Startup
from ir_pipeline.models.base import SHORT_LENGTH, table_of
from ir_pipeline.money import DEFAULT_CURRENCY, Money, parse_currency, parse_money
from ir_pipeline.naming import clean_name, name_key, normalise_business_no
from ir_pipeline.notify import outbox
from ir_pipeline.queries.sums import halves, ranking_part
from ir_pipeline.services import deals as deal_service
from ir_pipeline.services import followups as follow_up_service
from ir_pipeline.services import records as record_service
from ir_pipeline.services.common import start_write
from ir_pipeline.services.lois import validate_loi
from ir_pipeline.stages import Stage
from ir_pipeline.summaries import deal_columns, tracking
from ir_pipeline.summaries.contributions import DealFacts, Totals, add_deal
from ir_pipeline.text import free_text, one_line, plural

BATCH = 2_000
T = TypeVar("T")
MAX_PROBLEMS = 1_000


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    encoding: str | None = None
    committed: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    def add_problem(self, line: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, column, message))
        else:
            self.more_problems += 1

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems


class ImportRejected(Invalid):
    """The file has problems; nothing was written. ``report`` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{report.file}: {plural(report.problem_count, 'problem')} in {plural(report.rows, 'row')}; "
            "nothing was imported"
        )
        self.report = report


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class _RowErrors(Exception):
    """Every problem of one row, so a person fixes the row once."""

    def __init__(self, errors: list[_RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class _Checks:
    """Runs each field's check, keeping the value or the problem, and raises them all at once."""

    def __init__(self, row: _Row) -> None:
        self.row = row
        self.errors: list[_RowError] = []

    def __call__(self, check: Callable[[], T], default: T) -> T:
        try:
            return check()
        except _RowError as error:
            self.errors.append(error)
        except IrpError as error:
            self.errors.append(_RowError(self.row.field_column(error.field), str(error)))
        return default

    def done(self) -> None:
        if self.errors:
            # left to right, as the person reads the row
            headers = self.row.headers
            self.errors.sort(key=lambda e: headers.index(e.column) if e.column in headers else len(headers))
            raise _RowErrors(self.errors)


Progress = Callable[[int, int], None]  # (rows done, bytes total) → None


def import_file(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Import ``path`` as ``kind`` into the caller's transaction, all or nothing.

    Raises :class:`ImportRejected` (with every problem) when any row is bad; on a dry run
    returns what would happen and writes nothing. ``encoding`` overrides the detected one.
    """
    start_write(session, actor, "import files")
    audit.bind(session, actor, batch_id=uuid.uuid4().hex)
    table = open_table(path, encoding=encoding, is_header=lambda cells: has_required_columns(kind, cells))
    try:
        header_map = map_headers(kind, table.headers)
    except Invalid as error:
        raise Invalid(f"{path.name}, line {table.header_line} (the header row): {error}") from None
    columns = header_map.columns
    report = ImportReport(
        kind=kind,
        file=path.name,
        dry_run=dry_run,
        encoding=table.encoding,
        ignored_columns=header_map.ignored,
    )
    handler = _HANDLERS[kind](session, actor, report)
    handler.default_currency = header_map.currency or handler.default_currency
    savepoint = session.begin_nested()
    try:
        batch: list[_Row] = []
        for line, cells in table.rows:
            batch.append(_Row(line, cells, columns, table.headers, kind))
            if len(batch) >= BATCH:
                handler.run(batch)
                batch = []
                if progress is not None:
                    progress(report.rows, table.size_bytes)
        if batch:
            handler.run(batch)
        handler.finish()
        if progress is not None:
            progress(report.rows, table.size_bytes)
    except BaseException:
        savepoint.rollback()
        raise
    if report.problems or dry_run:
        savepoint.rollback()
        if report.problems:
            raise ImportRejected(report)
        return report
    handler.before_commit()
    outbox.import_completed(
        session,
        actor=actor.name,
        kind=kind,
        file=path.name,
        counts={"created": report.created, "updated": report.updated, "skipped": report.skipped},
    )
    savepoint.commit()
    report.committed = True
    return report


def _clean(value: str) -> str:
    """A cell as a field's text: trimmed, and without the formula neutralisation our own exports
    apply (``'=…``), so exports import back unchanged."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        value = value[1:]
    return value


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]
    columns: dict[str, int]
    headers: list[str]
    kind: str

    def text(self, key: str) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return ""
        return _clean(self.cells[index])

    def column(self, key: str) -> str:
        return label(self.kind, key, self.headers, self.columns.get(key))

    def field_column(self, field: str | None) -> str:
        """The header (as the file wrote it) for a service error's field, when the file has it."""
        if not field:
            return ""
        return self.column(field) if field in self.columns else field

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise _RowError(self.column(key), "is empty")
        return value

    def parse(self, key: str, parser: Callable[[str], Any]) -> Any:
        value = self.text(key)
        if not value:
            return None
        try:
            return parser(value)
        except Invalid as error:
            raise _RowError(self.column(key), str(error)) from None


def cell_picker(columns: dict[str, int], keys: tuple[str, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """Reads the cells of those of ``keys`` the file has, as it wrote them ("" past a short row's
    end): what a row's fields are read from, so rows with the same cells read the same. Built
    once per file; a full row is read by ``itemgetter`` at C speed (it runs for every row)."""
    indexes = tuple(columns[k] for k in keys if k in columns)
    width = max(indexes, default=-1) + 1
    get = itemgetter(*indexes) if len(indexes) > 1 else (lambda cells: tuple(cells[i] for i in indexes))

    def pick(cells: list[str]) -> tuple[str, ...]:
        if len(cells) >= width:
            return get(cells)
        return tuple(cells[i] if i < len(cells) else "" for i in indexes)

    return pick


class _Handler:
    """Per-kind import logic: checks rows, collects problems, writes through batched statements."""

    default_currency = DEFAULT_CURRENCY

    def __init__(self, session: Session, actor: Actor, report: ImportReport) -> None:
        self.session = session
        self.actor = actor
        self.report = report
        self.today = local_today()
        self._startups: dict[str, int | _RowError] = {}
        self._investors: dict[str, int | _RowError] = {}
        self._events: dict[str, int | _RowError] = {}
        # Spreadsheets repeat the same names, amounts and dates thousands of times: parse each once.
        self.key = lru_cache(maxsize=65_536)(name_key)
        self.money = lru_cache(maxsize=8_192)(
            lambda text, currency: parse_money(text, default_currency=currency)
        )
        self.day = lru_cache(maxsize=8_192)(
            lambda text, field: parse_date(text, today=self.today, field=field)
        )

    def run(self, rows: list[_Row]) -> None:
        self.prefetch(rows)
        for row in rows:
            self.report.rows += 1
            try:
                self.row(row)
            except _RowError as error:
                self.report.add_problem(row.line, error.column, error.message)
            except _RowErrors as errors:
                for each in errors.errors:
                    self.report.add_problem(row.line, each.column, each.message)
            except IrpError as error:
                self.report.add_problem(row.line, row.field_column(error.field), str(error))
        self.flush()

    def row(self, row: _Row) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def prefetch(self, rows: list[_Row]) -> None:
        """Resolve the batch's startup and investor names with one query each (exact keys)."""
        for key, model, cache in (
            ("startup", Startup, self._startups),
            ("investor", Investor, self._investors),
        ):
            if not rows or key not in rows[0].columns:
                continue
            index = rows[0].columns[key]
            cells = {r.cells[index] if index < len(r.cells) else "" for r in rows}
            wanted = {self.key(_clean(cell)) for cell in cells} - cache.keys() - {""}
            for chunk in _chunks(sorted(wanted), 500):
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

    def startup_id(self, row: _Row, key: str = "startup") -> int:
        text = row.required(key)
        cache_key = self.key(text)
        if cache_key not in self._startups:
            self._startups[cache_key] = _strict(
                self.session, self.actor, Startup, text, "startup", row.column(key)
            )
        return _unwrap(self._startups[cache_key])

    def investor_id(self, row: _Row, key: str = "investor") -> int:
        text = row.required(key)
        cache_key = self.key(text)
        if cache_key not in self._investors:
            self._investors[cache_key] = _strict(
                self.session, self.actor, Investor, text, "investor", row.column(key)
            )
        return _unwrap(self._investors[cache_key])

    def event_id(self, row: _Row) -> int | None:
        text = row.text("event")
        if not text:
            return None
        if text not in self._events:
            try:
                event = resolve_event(self.session, text, actor=self.actor)
                assert event.id is not None
                self._events[text] = event.id
            except (NotFound, Ambiguous) as error:
                self._events[text] = _RowError(row.column("event"), str(error))
        return _unwrap(self._events[text])

    def date(self, row: _Row, key: str) -> date | None:
        return row.parse(key, lambda v: self.day(v, key))  # type: ignore[no-any-return]


def _unwrap(value: int | _RowError) -> int:
    if isinstance(value, _RowError):
        raise value
    return value


def _strict(
    session: Session, actor: Actor, model: type[Startup] | type[Investor], text: str, what: str, column: str
) -> int | _RowError:
    """A name in a file is found as one typed at the prompt is (:mod:`ir_pipeline.lookup`: exact
    name, 사업자등록번호, id, then a unique partial name), with the same refusal when several match;
    a name that matches nothing says to import the records first."""
    resolve = resolve_startup if model is Startup else resolve_investor
    try:
        found = resolve(session, text, actor=actor)
    except NotFound as error:
        hint = "" if "did you mean" in str(error) else f": import {what}s first, or fix the name"
        return _RowError(column, f"{error}{hint}")
    except (Ambiguous, Invalid) as error:
        return _RowError(column, str(error))
    assert found.id is not None
    return found.id


# -- events, startups, investors, contacts: small files, row by row through the services ------


class _Events(_Handler):
    def row(self, row: _Row) -> None:
        name = clean_name(row.required("name"))
        starts = self.date(row, "starts_on")
        if starts is None:
            raise _RowError(row.column("starts_on"), "is empty")
        draft = EventDraft(
            name=name,
            starts_on=starts,
            ends_on=self.date(row, "ends_on"),
            venue=row.text("venue"),
            organiser=row.text("organiser"),
        )
        existing = self.session.exec(select(Event).where(Event.name == name)).first()
        if existing is None:
            record_service.create_event(self.session, actor=self.actor, draft=draft)
            self.report.created += 1
            return
        changed = (existing.starts_on, existing.ends_on, existing.venue, existing.organiser) != (
            draft.starts_on,
            draft.ends_on or draft.starts_on,
            draft.venue or existing.venue,
            draft.organiser or existing.organiser,
        )
        if changed:
            assert existing.id is not None
            merged = EventDraft(
                name,
                draft.starts_on,
                draft.ends_on,
                draft.venue or existing.venue,
                draft.organiser or existing.organiser,
            )
            record_service.update_event(self.session, actor=self.actor, event_id=existing.id, draft=merged)
            self.report.updated += 1
        else:
            self.report.skipped += 1


class _Startups(_Handler):
    def row(self, row: _Row) -> None:
        name = clean_name(row.required("name"))
        number = row.parse("business_no", normalise_business_no)
        existing = None
        if number:
            existing = self.session.exec(select(Startup).where(Startup.business_no == number)).first()
        if existing is None:
            existing = self.session.exec(select(Startup).where(Startup.name_key == name_key(name))).first()
        if existing is None:
            record_service.create_startup(
                self.session,
                actor=self.actor,
                draft=StartupDraft(
                    name=name,
                    sector=row.text("sector"),
                    business_no=number,
                    description=row.text("description"),
                ),
            )
            self.report.created += 1
            return
        merged = StartupDraft(
            name=existing.name,
            sector=row.text("sector") or existing.sector,
            business_no=number or existing.business_no,
            description=row.text("description") or existing.description,
            is_demo=existing.is_demo,
        )
        if (merged.sector, merged.business_no, merged.description) == (
            existing.sector,
            existing.business_no,
            existing.description,
        ):
            self.report.skipped += 1
            return
        assert existing.id is not None
        record_service.update_startup(self.session, actor=self.actor, startup_id=existing.id, draft=merged)
        self.report.updated += 1


class _Investors(_Handler):
    def row(self, row: _Row) -> None:
        name = clean_name(row.required("name"))
        kind = row.parse("kind", lambda v: parse_choice(InvestorKind, v, what="investor kind"))
        country = row.parse("country", parse_country)
        existing = self.session.exec(select(Investor).where(Investor.name_key == name_key(name))).first()
        if existing is None:
            record_service.create_investor(
                self.session,
                actor=self.actor,
                draft=InvestorDraft(name=name, kind=kind or InvestorKind.VC, country=country or "KR"),
            )
            self.report.created += 1
            return
        merged = InvestorDraft(
            existing.name, kind or existing.kind, country or existing.country, existing.is_demo
        )
        if (merged.kind, merged.country) == (existing.kind, existing.country):
            self.report.skipped += 1
            return
        assert existing.id is not None
        record_service.update_investor(self.session, actor=self.actor, investor_id=existing.id, draft=merged)
        self.report.updated += 1


class _Contacts(_Handler):
    def row(self, row: _Row) -> None:
        name = clean_name(row.required("name"))
        has_investor, has_startup = bool(row.text("investor")), bool(row.text("startup"))
        if has_investor == has_startup:
            raise _RowError(row.column("investor"), "name exactly one organisation: an investor or a startup")
        investor_id = self.investor_id(row) if has_investor else None
        startup_id = self.startup_id(row) if has_startup else None
        existing = self.session.exec(
            select(Contact).where(
                Contact.name == name, Contact.investor_id == investor_id, Contact.startup_id == startup_id
            )
        ).first()
        draft = ContactDraft(
            name=name,
            investor_id=investor_id,
            startup_id=startup_id,
            email=row.text("email") or (existing.email if existing else None),
            phone=row.text("phone") or (existing.phone if existing else None),
            role=row.text("role") or (existing.role if existing else ""),
        )
        if existing is None:
            record_service.create_contact(self.session, actor=self.actor, draft=draft)
            self.report.created += 1
        elif (draft.email, draft.phone, draft.role) == (existing.email, existing.phone, existing.role):
            self.report.skipped += 1
        else:
            assert existing.id is not None
            record_service.update_contact(self.session, actor=self.actor, contact_id=existing.id, draft=draft)
            self.report.updated += 1


# -- LOIs: possibly 100k rows, checked row by row, written in batches ---------------------------


#: An LOI's fields besides the two names. A file repeats a few combinations of them (amounts,
#: dates, the instrument) thousands of times: each combination is read and checked once.
_LOI_VALUES = (
    "amount",
    "amount_max",
    "currency",
    "received_on",
    "valid_until",
    "event",
    "instrument",
    "status",
    "conditions",
    "owner",
)
#: Distinct combinations remembered at once (a file of all-different rows just reads each).
_VALUES_CACHE = 65_536


@dataclass(frozen=True, slots=True)
class _LoiValues:
    event_id: int | None
    amount: Money
    amount_max: Money | None
    instrument: Instrument
    received_on: date
    valid_until: date | None
    status: LoiStatus
    conditions: str
    owner: str


@dataclass(frozen=True, slots=True)
class _LoiRow:
    line: int
    startup_id: int
    investor_id: int
    values: _LoiValues

    @property
    def key(self) -> tuple[int, int, date, int, str]:
        v = self.values
        return (self.startup_id, self.investor_id, v.received_on, v.amount.minor, v.amount.currency)


class _Lois(_Handler):
    def __init__(self, session: Session, actor: Actor, report: ImportReport) -> None:
        super().__init__(session, actor, report)
        self.pending: list[_LoiRow] = []
        self.seen: set[tuple[int, int, date, int, str]] = set()
        self.deals: dict[tuple[int, int], tuple[int, Stage]] = {}
        self.deals_loaded_for: set[int] = set()
        self.connection = session.connection()
        self.values: dict[tuple[str, ...], _LoiValues | list[_RowError]] = {}
        self._startup_cells: dict[str, int | _RowError] = {}
        self._investor_cells: dict[str, int | _RowError] = {}
        #: Read a row's names and its other fields (built from the first row's columns).
        self._pick_names: Callable[[list[str]], tuple[str, ...]] | None = None
        self._pick_values: Callable[[list[str]], tuple[str, ...]] = tuple
        #: Deals with a larger id were opened by this import.
        self.first_new: int | None = None
        #: What the deals this import opened contribute to the funnel's running totals.
        self.opened: Totals = {}
        #: The event, startup and investor of each deal this import opened.
        self.opened_deals: dict[int, tuple[int | None, int, int]] = {}
        #: Each LOI's rate snapshot comes from the rates stored when the import began.
        self.base = base_currency()
        self.book = fx_stored.load_book(session, quotes={self.base})
        self._snapshots: dict[tuple[str, date, int], Snapshot | None] = {}

    def snapshot(self, amount: Money, day: date) -> Snapshot | None:
        """The LOI's snapshot by the one rule (:func:`fx.service.snapshot_of`), once per value."""
        key = (amount.currency, day, amount.minor)
        if key not in self._snapshots:
            rate = book_rate(self.book, amount.currency, day, self.base)
            self._snapshots[key] = snapshot_of(rate, amount.minor, amount.currency, self.base)
        return self._snapshots[key]

    def row(self, row: _Row) -> None:
        # Each name, and each combination of the other fields, is read once per distinct cell text:
        # a 100k-row file repeats a few thousand names and a few hundred amount and date pairs.
        if self._pick_names is None:
            self._pick_names = cell_picker(row.columns, ("startup", "investor"))
            self._pick_values = cell_picker(row.columns, _LOI_VALUES)
        startup_cell, investor_cell = self._pick_names(row.cells)
        startup = self._cached(self._startup_cells, startup_cell, row, self.startup_id)
        investor = self._cached(self._investor_cells, investor_cell, row, self.investor_id)
        cells = self._pick_values(row.cells)
        values = self.values.get(cells)
        if values is None:
            if len(self.values) >= _VALUES_CACHE:
                self.values.clear()
            values = self.values[cells] = self._values(row)
        if type(startup) is not int or type(investor) is not int or not isinstance(values, _LoiValues):
            check = _Checks(row)
            check.errors += [e for e in (startup, investor) if isinstance(e, _RowError)]
            check.errors += values if isinstance(values, list) else []
            check.done()
        assert type(startup) is int and type(investor) is int and isinstance(values, _LoiValues)
        item = _LoiRow(line=row.line, startup_id=startup, investor_id=investor, values=values)
        key = item.key
        if key in self.seen:
            self.report.skipped += 1  # the same LOI twice in one file
            return
        self.seen.add(key)
        self.pending.append(item)

    @staticmethod
    def _cached(
        cache: dict[str, int | _RowError], cell: str, row: _Row, resolve: Callable[[_Row], int]
    ) -> int | _RowError:
        found = cache.get(cell)
        if found is None:
            if len(cache) >= _VALUES_CACHE:
                cache.clear()
            try:
                found = resolve(row)
            except _RowError as error:
                found = error
            except IrpError as error:
                found = _RowError(row.field_column(error.field), str(error))
            cache[cell] = found
        return found

    def _values(self, row: _Row) -> _LoiValues | list[_RowError]:
        """The row's fields besides the names, parsed and checked by the service's own rules, or
        every problem with them."""
        check = _Checks(row)
        amount = check(lambda: self._amount(row), None)
        upper = check(lambda: self._upper(row, amount), None)
        errors_before_dates = len(check.errors)
        received = check(lambda: self.date(row, "received_on"), None)
        valid_until = check(lambda: self.date(row, "valid_until"), None)
        dates_read = len(check.errors) == errors_before_dates
        event_id = check(lambda: self.event_id(row), None)
        instrument = check(
            lambda: row.parse("instrument", lambda v: parse_choice(Instrument, v, what="instrument")), None
        )
        status = check(
            lambda: row.parse("status", lambda v: parse_choice(LoiStatus, v, what="LOI status")), None
        )
        conditions = check(
            lambda: free_text(row.text("conditions"), field="conditions", what="the conditions"), ""
        )
        owner = check(
            lambda: one_line(row.text("owner"), field="owner", what="the owner", max_length=SHORT_LENGTH), ""
        )
        if amount is not None and dates_read:
            # the same rules as the form and the CLI, from the service (only once the parts parsed,
            # so a date that did not parse never reports a follow-on error)
            draft = LoiDraft(
                amount=amount,
                received_on=received or self.today,
                instrument=instrument or Instrument.COMMON,
                amount_max=upper,
                valid_until=valid_until,
                conditions=conditions,
            )
            check(lambda: validate_loi(draft), None)
        if check.errors:
            return check.errors
        assert amount is not None
        return _LoiValues(
            event_id=event_id,
            amount=amount,
            amount_max=upper,
            instrument=instrument or Instrument.COMMON,
            received_on=received or self.today,
            valid_until=valid_until,
            status=status or LoiStatus.RECEIVED,
            conditions=conditions,
            owner=owner,
        )

    def _currency(self, row: _Row) -> str | None:
        text = row.text("currency")
        if not text:
            return None
        try:
            return parse_currency(text)
        except Invalid as error:
            raise _RowError(row.column("currency"), str(error)) from None

    def _amount(self, row: _Row) -> Money:
        currency = self._currency(row)
        try:
            amount: Money = self.money(row.required("amount"), currency or self.default_currency)
        except Invalid as error:
            raise _RowError(row.column("amount"), str(error)) from None
        if currency and amount.currency != currency:
            raise _RowError(
                row.column("amount"), f"is in {amount.currency} but the currency column says {currency}"
            )
        if amount.amount <= 0:
            raise _RowError(row.column("amount"), "must be more than zero")
        return amount

    def _upper(self, row: _Row, amount: Money | None) -> Money | None:
        if amount is None:
            return None
        upper: Money | None = row.parse(
            "amount_max", lambda v: parse_money(v, default_currency=amount.currency)
        )
        return upper

    def _insert_history(self, after_id: int, now: datetime, reason: str) -> None:
        """The opening move (none → `loi`) of every deal above ``after_id``, written by the
        database from the deal rows in one ``INSERT … SELECT`` (values through the columns' types)."""
        history, deal = table_of(StageChange), table_of(Deal)
        source = (
            sa.select(
                deal.c.id,
                sa.literal(Stage.LOI, history.c.to_stage.type),
                sa.literal(now, history.c.changed_at.type),
                sa.literal(self.actor.name, history.c.changed_by.type),
                sa.literal(reason, history.c.reason.type),
            )
            .where(deal.c.id > after_id)
            .order_by(deal.c.id)
        )
        self.connection.execute(
            history.insert().from_select(
                ["deal_id", "to_stage", "changed_at", "changed_by", "reason"], source
            )
        )

    def _audit(self, table: sa.Table, before: int, deal_column: str | None = None) -> None:
        """The trail of a bulk insert: one row per new record, tagged with this file's batch."""
        audit.record_inserts(
            self.connection,
            actor=self.actor.name,
            table=table,
            after_id=before,
            batch_id=audit.batch_of(self.session),
            deal_column=deal_column,
        )

    def _load_deals(self, startup_ids: set[int]) -> None:
        wanted = startup_ids - self.deals_loaded_for
        for chunk in _chunks(sorted(wanted), 500):
            for deal_id, s, i, stage in self.session.exec(
                select(Deal.id, Deal.startup_id, Deal.investor_id, col(Deal.stage)).where(
                    col(Deal.startup_id).in_(chunk)
                )
            ).all():
                assert deal_id is not None
                self.deals[(s, i)] = (deal_id, Stage(stage))
        self.deals_loaded_for |= wanted

    def flush(self) -> None:
        if not self.pending:
            return
        items, self.pending = self.pending, []
        self._load_deals({x.startup_id for x in items})
        now = utcnow()
        new_after = self._open_deals(items, now)
        # LOIs already in the database are skipped: that is what makes a re-import harmless
        # (the deals this import opened hold only LOIs of this file, which `seen` has checked)
        deals = self.deals
        deal_ids = {deals[(x.startup_id, x.investor_id)][0] for x in items}
        existing: set[tuple[int, date, int, str]] = set()
        older = sorted(d for d in deal_ids if self.first_new is None or d <= self.first_new)
        for chunk in _chunks(older, 500):
            existing |= {
                (d, r, a, c)
                for d, r, a, c in self.session.execute(
                    sa.select(
                        col(LetterOfIntent.deal_id),
                        col(LetterOfIntent.received_on),
                        col(LetterOfIntent.amount_minor),
                        col(LetterOfIntent.currency),
                    ).where(col(LetterOfIntent.deal_id).in_(chunk))
                ).all()
            }
        rows: list[tuple[Any, ...]] = []
        # what the deals opened by this batch hold, for the funnel: at `loi`, with these LOIs
        opened: dict[int, dict[tuple[str, str, str | None], list[int]]] = {}
        old_deals: set[int] = set()
        for x in items:
            deal_id, stage = deals[(x.startup_id, x.investor_id)]
            v = x.values
            amount = v.amount
            if existing and (deal_id, v.received_on, amount.minor, amount.currency) in existing:
                self.report.skipped += 1
                continue
            if stage.is_terminal:
                self.report.add_problem(x.line, "", f"deal #{deal_id} is {stage.label}: it takes no new LOIs")
                continue
            if stage in (Stage.SOURCED, Stage.PITCHED):
                deal_service.move_stage(
                    self.session,
                    actor=self.actor,
                    deal_id=deal_id,
                    to=Stage.LOI,
                    reason=f"LOI imported from {self.report.file}",
                    at=now,
                )
                deals[(x.startup_id, x.investor_id)] = (deal_id, Stage.LOI)
            upper = v.amount_max
            snap = self.snapshot(amount, v.received_on)
            rows.append(
                (
                    deal_id,
                    amount.minor,
                    None if upper is None else upper.minor,
                    amount.currency,
                    v.instrument,
                    v.received_on,
                    v.valid_until,
                    v.conditions,
                    v.status,
                    now,
                    now,
                    *(snap if snap is not None else _NO_SNAPSHOT),
                )
            )
            if new_after is not None and deal_id > new_after:
                cells = opened.setdefault(deal_id, {})
                key = (amount.currency, v.status.value, None if snap is None else snap[0])
                cell = cells.get(key)
                hi, lo = halves(amount.minor)
                chi, clo = halves(snap[4]) if snap is not None else (0, 0)
                if cell is None:
                    cells[key] = [1, hi, lo, chi, clo]
                else:
                    cell[0] += 1
                    cell[1] += hi
                    cell[2] += lo
                    cell[3] += chi
                    cell[4] += clo
            else:
                old_deals.add(deal_id)
        if rows and not self.report.problems:
            loi_table = table_of(LetterOfIntent)
            before = self.connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(loi_table.c.id), 0))
            ).scalar_one()
            tracking.touch(self.session, old_deals)
            _bulk_insert(self.connection, loi_table, _LOI_COLUMNS, rows)
            self._audit(loi_table, before, deal_column="deal_id")
            tracking.refresh_columns(self.session, ids=old_deals)
            self._count_opened(opened)
        self.report.created += len(rows)

    def _open_deals(self, items: list[_LoiRow], now: datetime) -> int | None:
        """Open the deals of this batch that do not exist yet, at `loi`, with their history and
        their last LOI kept from the start (no UPDATE of every new deal after); returns the id
        above which they are, or ``None`` when every deal existed."""
        latest: dict[tuple[int, int], _LoiValues] = {}
        counted: dict[tuple[int, int], list[int]] = {}  # LOIs and their ranking total, per deal
        for x in items:
            pair = (x.startup_id, x.investor_id)
            if pair not in self.deals:
                best = latest.get(pair)
                if best is None or deal_columns.is_later(x.values.received_on, best.received_on):
                    latest[pair] = x.values
                amount = x.values.amount
                kept = counted.setdefault(pair, [0, 0])
                kept[0] += 1
                kept[1] += ranking_part(amount.currency, amount.minor)
        if not latest:
            return None
        deal_table = table_of(Deal)
        before = int(
            self.connection.execute(sa.select(sa.func.coalesce(sa.func.max(deal_table.c.id), 0))).scalar_one()
        )
        if self.first_new is None:
            self.first_new = before
        _bulk_insert(
            self.connection,
            deal_table,
            _DEAL_COLUMNS,
            [
                (
                    s,
                    i,
                    x.event_id,
                    Stage.LOI,
                    now,
                    Stage.LOI,
                    x.owner,
                    "",
                    now,
                    now,
                    *_kept(x, *counted[(s, i)]),
                )
                for (s, i), x in latest.items()
            ],
        )
        self._audit(deal_table, before)
        for deal_id, s, i in self.connection.execute(
            sa.select(deal_table.c.id, deal_table.c.startup_id, deal_table.c.investor_id).where(
                deal_table.c.id > before
            )
        ).all():
            self.deals[(s, i)] = (deal_id, Stage.LOI)
            self.opened_deals[deal_id] = (latest[(s, i)].event_id, s, i)
        self._insert_history(before, now, f"opened by import of {self.report.file}")
        return before

    def _count_opened(self, opened: dict[int, dict[tuple[str, str, str | None], list[int]]]) -> None:
        """Add what the deals this batch opened contribute to the funnel (by the one rule,
        :func:`add_deal`): their move to `loi`, the LOIs just written for them, no funding."""
        loi = Stage.LOI.value
        for deal_id, cells in opened.items():
            event, startup, investor = self.opened_deals[deal_id]
            lois = [
                (currency, status, n, hi, lo, base, chi, clo)
                for (currency, status, base), (n, hi, lo, chi, clo) in cells.items()
            ]
            add_deal(self.opened, DealFacts(event, startup, investor, loi, loi, lois=lois))

    def before_commit(self) -> None:
        if self.opened:  # counted once every row of the file is written, and only if kept
            tracking.opened(self.session, self.opened)


class _FollowUps(_Handler):
    def row(self, row: _Row) -> None:
        startup_id = self.startup_id(row)
        investor_id = self.investor_id(row)
        deal = self.session.exec(
            select(Deal).where(Deal.startup_id == startup_id, Deal.investor_id == investor_id)
        ).first()
        if deal is None:
            raise _RowError(row.column("investor"), "there is no deal between this startup and investor yet")
        assert deal.id is not None
        due = self.date(row, "due_on")
        if due is None:
            raise _RowError(row.column("due_on"), "is empty")
        note = row.text("note")
        status = row.parse("status", lambda v: parse_choice(FollowUpStatus, v, what="follow-up status"))
        existing = self.session.exec(
            select(FollowUp).where(
                FollowUp.deal_id == deal.id, FollowUp.due_on == due, col(FollowUp.note).startswith(note)
            )
        ).first()
        if existing is not None:
            self.report.skipped += 1
            return
        view = follow_up_service.add_follow_up(
            self.session,
            actor=self.actor,
            deal_id=deal.id,
            draft=FollowUpDraft(
                due_on=due,
                owner=row.text("owner"),
                channel=row.parse("channel", lambda v: parse_choice(Channel, v, what="channel"))
                or Channel.EMAIL,
                note=note,
            ),
        )
        if status is FollowUpStatus.DONE:
            follow_up_service.complete_follow_up(self.session, actor=self.actor, follow_up_id=view.id)
        elif status is FollowUpStatus.CANCELLED:
            follow_up_service.cancel_follow_up(self.session, actor=self.actor, follow_up_id=view.id)
        self.report.created += 1


_HANDLERS: dict[str, type[_Handler]] = {
    "events": _Events,
    "startups": _Startups,
    "investors": _Investors,
    "contacts": _Contacts,
    "lois": _Lois,
    "followups": _FollowUps,
}
assert set(_HANDLERS) == set(KINDS)


def _kept(latest: _LoiValues, count: int, rank: int) -> tuple[int, str, date, int, int]:
    """A new deal's kept columns (``last_loi_*`` from its latest LOI, ``loi_count``, ``loi_rank``)."""
    return latest.amount.minor, latest.amount.currency, latest.received_on, count, rank


_DEAL_COLUMNS = (
    "startup_id",
    "investor_id",
    "event_id",
    "stage",
    "stage_changed_at",
    "reached",
    "owner",
    "notes",
    "created_at",
    "updated_at",
    "last_loi_minor",
    "last_loi_currency",
    "last_loi_on",
    "loi_count",
    "loi_rank",
)
_LOI_COLUMNS = (
    "deal_id",
    "amount_minor",
    "amount_max_minor",
    "currency",
    "instrument",
    "received_on",
    "valid_until",
    "conditions",
    "status",
    "created_at",
    "updated_at",
    *fx_service.COLUMNS,
)
_NO_SNAPSHOT = (None,) * len(fx_service.COLUMNS)


def _bulk_insert(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (values in the order of ``columns``) straight through the driver, each value
    converted by its column type's own bind processor (what a normal insert would send): one
    ``INSERT … SELECT FROM unnest(…)`` per chunk on PostgreSQL, ``executemany`` on SQLite.

    SQLAlchemy's per-row parameter handling costs more than the insert itself at 100k rows.
    """
    if not rows:
        return
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    values: Sequence[Sequence[Any]] = rows
    if any(processors):
        # Column by column, each distinct value converted once: most columns repeat a few values
        # (the batch's timestamp, a handful of dates, enum members), and map() and zip() do the
        # per-row work at C speed.
        by_column: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for index, processor in enumerate(processors):
            if processor is not None:
                column = by_column[index]
                done = {value: processor(value) for value in set(column) if value is not None}
                done[None] = None
                by_column[index] = list(map(done.__getitem__, column))
        values = list(zip(*by_column, strict=True))
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        _insert_unnested(connection, table, columns, values)
        return
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:  # pragma: no cover - the drivers we ship use qmark or format/pyformat
        raise RuntimeError(f"unsupported paramstyle {dialect.paramstyle}")
    # SQLite runs an INSERT statement once per row of an executemany, opening a cursor on every
    # index of the table each time (the deal table has eleven); the rows go to a bare temporary
    # table first and reach the real one in a single INSERT … SELECT, which opens them once.
    # Constraints, defaults, triggers and ids are the real table's, as with a direct insert.
    staged = f"temp.irp_import_{table.name}"
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE {staged.removeprefix('temp.')} AS SELECT {names} FROM {table.name} WHERE 0"
    )
    try:
        connection.exec_driver_sql(
            f"INSERT INTO {staged} ({names}) VALUES ({', '.join([marker] * len(columns))})", values
        )
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staged} ORDER BY rowid"
        )
    finally:
        connection.exec_driver_sql(f"DROP TABLE {staged}")


#: Rows per statement on PostgreSQL: big enough that a statement's cost is the rows, small enough
#: that no one statement's arrays hold much memory.
_UNNEST_ROWS = 20_000


def _insert_unnested(
    connection: sa.Connection, table: sa.Table, columns: tuple[str, ...], values: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL: each column travels as one typed array and ``unnest`` turns them back into rows.

    ``COPY FROM`` is refused on a table with row-level security (every company table), even for a
    login the policies admit, so a staff login could not import; an ``INSERT`` is checked row by
    row against the policies like any other write, and its statement-level triggers (the audit
    trail) fire once per chunk, not once per row as an ``executemany`` would make them. No
    temporary table is needed (``TEMPORARY`` is taken from ``PUBLIC``).
    """
    dialect = connection.dialect
    types = [table.c[name].type.dialect_impl(dialect) for name in columns]
    casts = ", ".join(f"%s::{kind.compile(dialect=dialect)}[]" for kind in types)
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({casts})"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for chunk in _chunks(list(values), _UNNEST_ROWS):
        cursor.execute(statement, [list(column) for column in zip(*chunk, strict=True)])


def _chunks(values: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
