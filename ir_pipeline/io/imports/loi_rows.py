"""Reading an LOI file's rows: names resolved once per distinct cell, every other field parsed and
checked by the service's own rules once per distinct combination (a 100k-row file repeats a few).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.config import base_currency
from ir_pipeline.drafts import LoiDraft
from ir_pipeline.enums import Instrument, LoiStatus, parse_choice
from ir_pipeline.errors import IrpError
from ir_pipeline.fx import stored as fx_stored
from ir_pipeline.fx.service import Snapshot, book_rate, snapshot_of
from ir_pipeline.io.imports.handler import Handler
from ir_pipeline.io.imports.rows import (
    Checks,
    ImportReport,
    Row,
    RowError,
    cell_picker,
)
from ir_pipeline.models.base import SHORT_LENGTH
from ir_pipeline.money import Money, parse_money
from ir_pipeline.services.lois import validate_loi
from ir_pipeline.stages import Stage
from ir_pipeline.summaries.contributions import Totals
from ir_pipeline.text import free_text, one_line

T = TypeVar("T")

# -- LOIs: possibly 100k rows, checked row by row, written in batches ---------------------------


#: An LOI's fields besides the two names. A file repeats a few combinations of them (amounts,
#: dates, the instrument) thousands of times: each combination is read and checked once.
LOI_VALUES = (
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
VALUES_CACHE = 65_536


@dataclass(frozen=True, slots=True)
class LoiValues:
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
class LoiRow:
    line: int
    startup_id: int
    investor_id: int
    values: LoiValues

    @property
    def key(self) -> tuple[int, int, date, int, str]:
        v = self.values
        return (self.startup_id, self.investor_id, v.received_on, v.amount.minor, v.amount.currency)


class LoiReader(Handler):
    """Reads and checks an LOI file's rows; :class:`~ir_pipeline.io.imports.lois.Lois` writes them."""

    def __init__(self, session: Session, actor: Actor, report: ImportReport) -> None:
        super().__init__(session, actor, report)
        self.pending: list[LoiRow] = []
        self.seen: set[tuple[int, int, date, int, str]] = set()
        self.deals: dict[tuple[int, int], tuple[int, Stage]] = {}
        self.deals_loaded_for: set[int] = set()
        self.connection = session.connection()
        self.values: dict[tuple[str, ...], LoiValues | list[RowError]] = {}
        self._startup_cells: dict[str, int | RowError] = {}
        self._investor_cells: dict[str, int | RowError] = {}
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

    def row(self, row: Row) -> None:
        # Each name, and each combination of the other fields, is read once per distinct cell text:
        # a 100k-row file repeats a few thousand names and a few hundred amount and date pairs.
        if self._pick_names is None:
            self._pick_names = cell_picker(row.columns, ("startup", "investor"))
            self._pick_values = cell_picker(row.columns, LOI_VALUES)
        startup_cell, investor_cell = self._pick_names(row.cells)
        startup = self._cached(self._startup_cells, startup_cell, row, self.startup_id)
        investor = self._cached(self._investor_cells, investor_cell, row, self.investor_id)
        cells = self._pick_values(row.cells)
        values = self.values.get(cells)
        if values is None:
            if len(self.values) >= VALUES_CACHE:
                self.values.clear()
            values = self.values[cells] = self._values(row)
        if type(startup) is not int or type(investor) is not int or not isinstance(values, LoiValues):
            check = Checks(row)
            check.errors += [e for e in (startup, investor) if isinstance(e, RowError)]
            check.errors += values if isinstance(values, list) else []
            check.done()
        assert type(startup) is int and type(investor) is int and isinstance(values, LoiValues)
        item = LoiRow(line=row.line, startup_id=startup, investor_id=investor, values=values)
        key = item.key
        if key in self.seen:
            self.report.skipped += 1  # the same LOI twice in one file
            return
        self.seen.add(key)
        self.pending.append(item)

    @staticmethod
    def _cached(
        cache: dict[str, int | RowError], cell: str, row: Row, resolve: Callable[[Row], int]
    ) -> int | RowError:
        found = cache.get(cell)
        if found is None:
            if len(cache) >= VALUES_CACHE:
                cache.clear()
            try:
                found = resolve(row)
            except RowError as error:
                found = error
            except IrpError as error:
                found = RowError(row.field_column(error.field), str(error))
            cache[cell] = found
        return found

    def _values(self, row: Row) -> LoiValues | list[RowError]:
        """The row's fields besides the names, parsed and checked by the service's own rules, or
        every problem with them."""
        check = Checks(row)
        amount = check(lambda: self.amount(row), None)
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
        return LoiValues(
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

    def _upper(self, row: Row, amount: Money | None) -> Money | None:
        if amount is None:
            return None
        upper: Money | None = row.parse(
            "amount_max", lambda v: parse_money(v, default_currency=amount.currency)
        )
        return upper
