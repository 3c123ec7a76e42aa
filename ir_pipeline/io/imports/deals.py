"""Importing deals: each row a startup × investor at its stage since its stage's date, as irp's
own deals export writes them (or a spreadsheet of the pipeline).

A new pair is opened as recorded (:func:`~ir_pipeline.services.recorded_deals.open_recorded_deal`):
its history here starts at that stage and date, and says what it had reached and where a lost
one was lost from, so the funnel counts it as the file does. A pair already here at the file's
stage is skipped (a re-import changes nothing); at another stage it is moved there, by the move
rules every move follows, on the file's date; a new owner is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from ir_pipeline.clock import local_noon
from ir_pipeline.errors import IrpError
from ir_pipeline.io.imports.handler import Handler
from ir_pipeline.io.imports.rows import Row, RowError
from ir_pipeline.models import Deal
from ir_pipeline.services import deals as deal_service
from ir_pipeline.services.recorded_deals import open_recorded_deal
from ir_pipeline.stages import Stage, parse_stage
from ir_pipeline.text import plural


class Deals(Handler):
    funded_waiting = 0

    def row(self, row: Row) -> None:
        startup_id = self.startup_id(row)
        investor_id = self.investor_id(row)
        stage: Stage = row.parse("stage", parse_stage)
        if stage is None:
            raise RowError(row.column("stage"), "is empty")
        day = self.date(row, "stage_date") or self.today
        since = local_noon(day)
        reached: Stage | None = row.parse("reached", parse_stage)
        lost_from: Stage | None = row.parse("lost_from", parse_stage)
        reason = row.text("lost_reason")
        owner = row.text("owner")
        existing = self.session.exec(
            select(Deal).where(Deal.startup_id == startup_id, Deal.investor_id == investor_id)
        ).first()
        if existing is None:
            self._open(row, startup_id, investor_id, stage, since, reached, lost_from, reason, owner)
            self.report.created += 1
            self.funded_waiting += stage is Stage.FUNDED
            return
        self._update(row, existing, stage, since, reason, owner)

    def _open(
        self,
        row: Row,
        startup_id: int,
        investor_id: int,
        stage: Stage,
        since: datetime,
        reached: Stage | None,
        lost_from: Stage | None,
        reason: str,
        owner: str,
    ) -> None:
        try:
            open_recorded_deal(
                self.session,
                actor=self.actor,
                startup_id=startup_id,
                investor_id=investor_id,
                event_id=self.event_id(row),
                stage=stage,
                since=since,
                reached=reached,
                lost_from=lost_from,
                reason=reason,
                owner=owner,
            )
        except IrpError as error:  # the service's reason is the file's lost_reason column
            key = "lost_reason" if error.field == "reason" else error.field
            raise RowError(row.field_column(key), str(error)) from None

    def _update(
        self, row: Row, existing: Deal, stage: Stage, since: datetime, reason: str, owner: str
    ) -> None:
        assert existing.id is not None
        changed = False
        if existing.stage is not stage:
            deal_service.move_stage(
                self.session,
                actor=self.actor,
                deal_id=existing.id,
                to=stage,
                reason=reason or f"stage imported from {self.report.file}",
                at=since,
            )
            changed = True
        if owner and owner != existing.owner:
            deal_service.update_deal(self.session, actor=self.actor, deal_id=existing.id, owner=owner)
            changed = True
        if changed:
            self.report.updated += 1
        else:
            self.report.skipped += 1

    def finish(self) -> None:
        if self.funded_waiting:
            self.report.notes.append(
                f"{plural(self.funded_waiting, 'deal')} opened at Funded: import their money with"
                " `irp import fundings` (the funnel's funded money counts fundings)"
            )
