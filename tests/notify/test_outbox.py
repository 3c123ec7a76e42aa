"""The outbox: every change worth telling writes its notice in its own transaction, on both
databases; a rolled-back change leaves none; an import writes one per file; a scan writes each
overdue follow-up and expiring LOI once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import FollowUpDraft, FundingDraft
from ir_pipeline.enums import LoiStatus, Role
from ir_pipeline.errors import Forbidden, IllegalStageMove
from ir_pipeline.io.importer import ImportRejected, import_file
from ir_pipeline.models import OutboxEvent
from ir_pipeline.money import Money
from ir_pipeline.notify.events import TYPES
from ir_pipeline.notify.scan import scan
from ir_pipeline.queries.notices import list_notices
from ir_pipeline.services import deals, followups, fundings, lois
from ir_pipeline.stages import Stage
from tests.conftest import MANAGER, STAFF, TODAY
from tests.helpers import add_loi, count, loi, seed


def notices(engine: Engine) -> list[dict[str, Any]]:
    """Every notice's payload, oldest first, with its row's columns checked against it."""
    with read_only(engine) as session:
        rows = session.execute(sa.select(OutboxEvent).order_by(OutboxEvent.id)).scalars().all()  # type: ignore[arg-type]
    out = []
    for r in rows:
        payload = json.loads(r.payload)
        assert (payload["type"], payload["id"], payload["actor"]) == (r.type, r.event_id, r.actor)
        assert r.type in TYPES and r.event_id.startswith("evt_")
        out.append(payload)
    return out


def types(engine: Engine) -> list[str]:
    return [n["type"] for n in notices(engine)]


def test_each_change_writes_its_notice(engine: Engine) -> None:
    s = seed(engine, STAFF)
    assert types(engine) == ["deal.opened"]
    loi_id = add_loi(engine, STAFF, s.deal_id, "1.5억")  # on a sourced deal: the LOI and the move
    received, moved = notices(engine)[1:]
    assert received["type"] == "loi.received" and moved["type"] == "deal.moved"
    assert received["summary"] == "[LOI] (주)그린그리드 ← Hanbit Ventures 1억 5천만 원 (Common shares)"
    assert received["data"]["amount"] == "150000000" and received["data"]["currency"] == "KRW"
    assert received["deal"] == {
        "id": s.deal_id,
        "stage": "sourced",  # as the deal stood when the LOI was written (the move comes next)
        "startup": {"id": s.startup_id, "name": "(주)그린그리드"},
        "investor": {"id": s.investor_id, "name": "Hanbit Ventures"},
    }
    assert moved["data"] == {"from": "sourced", "to": "loi", "reason": "LOI received"}
    with unit_of_work(engine) as session:
        lois.update_loi(session, actor=STAFF, loi_id=loi_id, draft=loi("2억"))
        lois.set_loi_status(session, actor=STAFF, loi_id=loi_id, status=LoiStatus.WITHDRAWN)
        f = followups.add_follow_up(
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=date(2026, 12, 1))
        )
        followups.reschedule_follow_up(session, actor=STAFF, follow_up_id=f.id, due_on=date(2026, 12, 8))
        followups.annotate_follow_up(session, actor=STAFF, follow_up_id=f.id, note="left a message")
        followups.complete_follow_up(session, actor=STAFF, follow_up_id=f.id)
        followups.reopen_follow_up(session, actor=STAFF, follow_up_id=f.id, note="not done after all")
        followups.cancel_follow_up(session, actor=STAFF, follow_up_id=f.id)
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.DILIGENCE)
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.TERM_SHEET)
        fundings.record_funding(
            session,
            actor=STAFF,
            deal_id=s.deal_id,
            draft=FundingDraft(amount=Money.parse("$2M"), closed_on=date(2026, 11, 20)),
        )
    assert types(engine)[3:] == [
        "loi.updated",
        "loi.withdrawn",
        "followup.created",
        "followup.snoozed",  # a note alone tells nobody anything new
        "followup.completed",
        "followup.reopened",
        "followup.cancelled",
        "deal.moved",
        "deal.moved",
        "funding.recorded",
        "deal.moved",
    ]
    funded = notices(engine)[-2]
    assert funded["summary"] == "[Funded] (주)그린그리드 ← Hanbit Ventures $2,000,000.00 received"
    assert {n["actor"] for n in notices(engine)} == {STAFF.name}
    assert len({n["id"] for n in notices(engine)}) == count(engine, OutboxEvent)  # ids are unique


def test_a_change_that_rolls_back_leaves_no_notice(engine: Engine) -> None:
    s = seed(engine, STAFF)
    before = count(engine, OutboxEvent)
    with pytest.raises(IllegalStageMove), unit_of_work(engine) as session:
        lois.add_loi(session, actor=STAFF, deal_id=s.deal_id, draft=loi())  # flushed: notices written
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.FUNDED)
    assert count(engine, OutboxEvent) == before
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        lois.add_loi(session, actor=MANAGER, deal_id=s.deal_id, draft=loi())
    assert count(engine, OutboxEvent) == before


LOIS = (
    "기업명,투자사,금액,접수일\n"
    "그린그리드,Hanbit Ventures,3억,2026.05.02\n"
    "그린그리드,Blue Harbor,1억,2026.05.03\n"
)


def test_an_import_writes_one_notice_per_file(engine: Engine, tmp_path: Path) -> None:
    seed(engine, STAFF, stage=Stage.PITCHED)  # the first row's LOI moves this deal: no notice of its own
    with unit_of_work(engine) as session:
        from ir_pipeline.drafts import InvestorDraft
        from ir_pipeline.services import records

        records.create_investor(session, actor=STAFF, draft=InvestorDraft(name="Blue Harbor"))
    before = count(engine, OutboxEvent)
    path = tmp_path / "lois.csv"
    path.write_text(LOIS, encoding="utf-8")
    with unit_of_work(engine) as session:  # a dry run writes nothing, its notice included
        import_file(session, actor=STAFF, kind="lois", path=path, dry_run=True)
    assert count(engine, OutboxEvent) == before
    with unit_of_work(engine) as session:
        import_file(session, actor=STAFF, kind="lois", path=path)
    added = notices(engine)[before:]
    assert [n["type"] for n in added] == ["import.completed"]
    assert added[0]["data"] == {"kind": "lois", "file": "lois.csv", "created": 2, "updated": 0, "skipped": 0}
    assert added[0]["summary"] == "[Import] lois.csv: lois — 2 created"
    with unit_of_work(engine) as session:  # the same file again changes nothing: nothing to tell
        import_file(session, actor=STAFF, kind="lois", path=path)
    bad = tmp_path / "bad.csv"
    bad.write_text("기업명,투자사,금액\n그린그리드,Hanbit Ventures,1억5천\n", encoding="utf-8")
    with pytest.raises(ImportRejected), unit_of_work(engine) as session:
        import_file(session, actor=STAFF, kind="lois", path=bad)
    assert count(engine, OutboxEvent) == before + 1


def test_a_scan_writes_each_occasion_once(engine: Engine) -> None:
    s = seed(engine, STAFF)
    loi_id = add_loi(engine, STAFF, s.deal_id)
    with unit_of_work(engine) as session:
        late = followups.add_follow_up(
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=TODAY - timedelta(days=2))
        )
        followups.add_follow_up(  # due today: not overdue yet
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=TODAY)
        )
        lois.update_loi(session, actor=STAFF, loi_id=loi_id, draft=loi(valid_until=TODAY + timedelta(days=5)))
    with unit_of_work(engine) as session:
        report = scan(session, actor=STAFF, today=TODAY, expiring_days=7)
    assert (report.overdue, report.expiring) == (1, 1)
    overdue, expiring = notices(engine)[-2:]
    assert overdue["type"] == "followup.overdue" and overdue["data"]["days_overdue"] == 2
    assert overdue["summary"] == "[Follow-up overdue] (주)그린그리드 ← Hanbit Ventures 2 days overdue"
    assert expiring["summary"] == (
        "[LOI expiring] (주)그린그리드 ← Hanbit Ventures 3억 원 (Common shares) ends in 5 days"
    )
    with unit_of_work(engine) as session:  # again, and on later days: nothing new
        assert scan(session, actor=STAFF, today=TODAY, expiring_days=7) == report.__class__(0, 0)
        assert scan(session, actor=STAFF, today=TODAY + timedelta(days=1)).overdue == 1  # today's one
    with unit_of_work(engine) as session:  # snoozed, then missed again: a new occasion
        followups.reschedule_follow_up(
            session, actor=STAFF, follow_up_id=late.id, due_on=TODAY + timedelta(days=2)
        )
    with unit_of_work(engine) as session:
        assert scan(session, actor=STAFF, today=TODAY + timedelta(days=3)).overdue == 1
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        scan(session, actor=MANAGER, today=TODAY)


def test_notices_are_for_staff_and_managers(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with read_only(engine) as session:
        shown = list_notices(session, actor=MANAGER)
        assert [n.type for n in shown] == ["deal.opened"] and shown[0].deal_id == s.deal_id
        assert list_notices(session, actor=MANAGER, before_id=shown[0].id) == []
        with pytest.raises(Forbidden):
            list_notices(session, actor=Actor("gg", Role.STARTUP, startup_id=s.startup_id))
