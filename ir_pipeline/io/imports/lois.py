"""Writing an LOI file: the batches its rows were read into, in bulk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from ir_pipeline import audit
from ir_pipeline.clock import utcnow
from ir_pipeline.errors import Invalid
from ir_pipeline.fx import service as fx_service
from ir_pipeline.io.imports.bulk import bulk_insert, chunks
from ir_pipeline.io.imports.loi_rows import LoiReader, LoiRow, LoiValues
from ir_pipeline.models import Deal, LetterOfIntent, StageChange
from ir_pipeline.models.base import table_of
from ir_pipeline.queries.sums import halves, ranking_part
from ir_pipeline.services import deals as deal_service
from ir_pipeline.services.lois import check_takes_loi
from ir_pipeline.stages import Stage
from ir_pipeline.summaries import deal_columns, tracking
from ir_pipeline.summaries.contributions import DealFacts, add_deal


class Lois(LoiReader):
    """LOIs, possibly 100k rows, written in batches: new deals opened at `loi` with their history,
    LOIs bulk-inserted with their rate snapshots, and the funnel's running totals kept."""

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
        for chunk in chunks(sorted(wanted), 500):
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
        for chunk in chunks(older, 500):
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
        opened: dict[int, dict[tuple[Any, ...], list[int]]] = {}
        old_deals: set[int] = set()
        for x in items:
            deal_id, stage = deals[(x.startup_id, x.investor_id)]
            v = x.values
            amount = v.amount
            if existing and (deal_id, v.received_on, amount.minor, amount.currency) in existing:
                self.report.skipped += 1
                continue
            try:
                check_takes_loi(deal_id, stage, v.status)  # the service's own rule
            except Invalid as error:
                self.report.add_problem(x.line, "", str(error))
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
                    *(snap if snap is not None else NO_SNAPSHOT),
                )
            )
            if new_after is not None and deal_id > new_after:
                cells = opened.setdefault(deal_id, {})
                key = (amount.currency, v.status.value, *(snap[:4] if snap is not None else NO_SNAPSHOT[:4]))
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
            bulk_insert(self.connection, loi_table, LOI_COLUMNS, rows)
            self._audit(loi_table, before, deal_column="deal_id")
            tracking.refresh_columns(self.session, ids=old_deals)
            self._count_opened(opened)
        self.report.created += len(rows)

    def _open_deals(self, items: list[LoiRow], now: datetime) -> int | None:
        """Open the deals of this batch that do not exist yet, at `loi`, with their history and
        their last LOI kept from the start (no UPDATE of every new deal after); returns the id
        above which they are, or ``None`` when every deal existed."""
        latest: dict[tuple[int, int], LoiValues] = {}
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
        bulk_insert(
            self.connection,
            deal_table,
            DEAL_COLUMNS,
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
                    *kept_columns(x, *counted[(s, i)]),
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

    def _count_opened(self, opened: dict[int, dict[tuple[Any, ...], list[int]]]) -> None:
        """Add what the deals this batch opened contribute to the funnel (by the one rule,
        :func:`add_deal`): their move to `loi`, the LOIs just written for them, no funding."""
        loi = Stage.LOI.value
        for deal_id, cells in opened.items():
            event, startup, investor = self.opened_deals[deal_id]
            lois = [
                (currency, status, n, hi, lo, base, chi, clo, day, rate, source)
                for (currency, status, base, rate, day, source), (n, hi, lo, chi, clo) in cells.items()
            ]
            add_deal(self.opened, DealFacts(event, startup, investor, loi, loi, lois=lois))

    def before_commit(self) -> None:
        if self.opened:  # counted once every row of the file is written, and only if kept
            tracking.opened(self.session, self.opened)


def kept_columns(latest: LoiValues, count: int, rank: int) -> tuple[int, str, date, int, int]:
    """A new deal's kept columns (``last_loi_*`` from its latest LOI, ``loi_count``, ``loi_rank``)."""
    return latest.amount.minor, latest.amount.currency, latest.received_on, count, rank


DEAL_COLUMNS = (
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
LOI_COLUMNS = (
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
NO_SNAPSHOT = (None,) * len(fx_service.COLUMNS)
