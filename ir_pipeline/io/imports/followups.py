"""Importing follow-ups: each row onto its deal (startup × investor), through the services; one
already there (same deal, due date and note) is skipped.
"""

from __future__ import annotations

from sqlmodel import col, select

from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.enums import Channel, FollowUpStatus, parse_choice
from ir_pipeline.io.imports.handler import Handler
from ir_pipeline.io.imports.rows import Row, RowError
from ir_pipeline.models import Deal, FollowUp
from ir_pipeline.services import followups as follow_up_service


class FollowUps(Handler):
    def row(self, row: Row) -> None:
        startup_id = self.startup_id(row)
        investor_id = self.investor_id(row)
        deal = self.session.exec(
            select(Deal).where(Deal.startup_id == startup_id, Deal.investor_id == investor_id)
        ).first()
        if deal is None:
            raise RowError(row.column("investor"), "there is no deal between this startup and investor yet")
        assert deal.id is not None
        due = self.date(row, "due_on")
        if due is None:
            raise RowError(row.column("due_on"), "is empty")
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
        follow_up_service.add_follow_up(
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
            status=status or FollowUpStatus.OPEN,  # a closed one is recorded closed, on any deal
        )
        self.report.created += 1
