"""Importing fundings: money received on a deal (startup × investor), as irp's own fundings
export writes it, through the funding service, so a deal not yet funded moves to funded and its
standing LOIs are converted, as when staff record it. One already there (same deal, day, amount
and currency) is skipped."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select

from ir_pipeline.clock import local_noon
from ir_pipeline.drafts import FundingDraft
from ir_pipeline.enums import Instrument, parse_choice
from ir_pipeline.io.imports.handler import Handler
from ir_pipeline.io.imports.rows import Row, RowError
from ir_pipeline.models import Deal, Funding
from ir_pipeline.services.fundings import record_funding


class Fundings(Handler):
    def row(self, row: Row) -> None:
        startup_id = self.startup_id(row)
        investor_id = self.investor_id(row)
        deal_id = self.session.exec(
            select(Deal.id).where(Deal.startup_id == startup_id, Deal.investor_id == investor_id)
        ).first()
        if deal_id is None:
            raise RowError(
                row.column("investor"),
                "there is no deal between this startup and investor yet: import the deals first",
            )
        amount = self.amount(row)
        closed_on = self.date(row, "closed_on")
        if closed_on is None:
            raise RowError(row.column("closed_on"), "is empty")
        instrument = row.parse("instrument", lambda v: parse_choice(Instrument, v, what="instrument"))
        there = self.session.execute(
            sa.select(col(Funding.id)).where(
                col(Funding.deal_id) == deal_id,
                col(Funding.closed_on) == closed_on,
                col(Funding.amount_minor) == amount.minor,
                col(Funding.currency) == amount.currency,
            )
        ).first()
        if there is not None:
            self.report.skipped += 1
            return
        record_funding(
            self.session,
            actor=self.actor,
            deal_id=deal_id,
            draft=FundingDraft(
                amount=amount, closed_on=closed_on, instrument=instrument or Instrument.COMMON
            ),
            reason=f"funding imported from {self.report.file}",
            at=local_noon(closed_on),
        )
        self.report.created += 1
