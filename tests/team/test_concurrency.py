"""Four processes writing the same records: no update is lost, the stage history never forks.

Each process makes 200 updates of one kind. Every update either applies or is reported as an
edit conflict (``EditConflict``); afterwards the record must equal exactly what was applied.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import FollowUpDraft
from ir_pipeline.models import StageChange
from ir_pipeline.queries.lois import get_loi
from ir_pipeline.services import followups
from ir_pipeline.stages import Stage
from tests.conftest import STAFF
from tests.helpers import add_loi, seed
from tests.team.workers import Outcome, run

PROCESSES = 4
UPDATES = 200


def _context() -> multiprocessing.context.BaseContext:
    """Fresh processes that need not import the whole application each time: a fork server that
    has imported it once (never a fork of this process, whose engines hold open connections)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.team.workers"])
    return context


def _hammer(url: str, pattern: str, target: int) -> list[Outcome]:
    context = _context()
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [pool.submit(run, url, pattern, target, UPDATES, f"p{n}") for n in range(PROCESSES)]
        outcomes = [f.result() for f in futures]
    failures = [f for o in outcomes for f in o.failures]
    assert failures == [], failures[:3]  # no "database is locked", no traceback, nothing else
    assert sum(len(o.applied) + o.conflicts for o in outcomes) == PROCESSES * UPDATES
    return outcomes


def test_a_locked_read_modify_write_service_loses_nothing(engine: Engine, db_url: str) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    with unit_of_work(engine) as session:
        from datetime import date

        follow_up = followups.add_follow_up(
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=date(2026, 12, 1))
        )
    outcomes = _hammer(db_url, "note", follow_up.id)
    assert sum(o.conflicts for o in outcomes) == 0  # the service locks the row: nobody is refused
    with read_only(engine) as session:
        from ir_pipeline.models import FollowUp

        note = session.get(FollowUp, follow_up.id).note  # type: ignore[union-attr]
    assert sorted(note.splitlines()) == sorted(m for o in outcomes for m in o.applied)
    assert len(note.splitlines()) == PROCESSES * UPDATES


@pytest.mark.parametrize("pattern", ["amount", "form"])
def test_versioned_edits_are_applied_or_reported_never_lost(
    engine: Engine, db_url: str, pattern: str
) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    loi_id = add_loi(engine, STAFF, s.deal_id, "1억")
    outcomes = _hammer(db_url, pattern, loi_id)
    applied = sum(len(o.applied) for o in outcomes)
    with read_only(engine) as session:
        final = get_loi(session, actor=STAFF, loi_id=loi_id)
    assert final.amount.minor == 100_000_000 + applied  # every applied +1 is there, no more
    assert final.version == 1 + applied
    if pattern == "form":
        marks = [m for m in final.conditions.split("|") if m]
        assert sorted(marks) == sorted(m for o in outcomes for m in o.applied)


def test_stage_toggles_never_fork_the_history(engine: Engine, db_url: str) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    outcomes = _hammer(db_url, "stage", s.deal_id)
    applied = sum(len(o.applied) for o in outcomes)
    with read_only(engine) as session:
        history = session.execute(
            sa.select(StageChange.from_stage, StageChange.to_stage)
            .where(StageChange.deal_id == s.deal_id)
            .order_by(StageChange.id)
        ).all()
    moves = history[1:]  # after "deal opened"
    assert len(moves) == applied
    previous = history[0].to_stage
    for from_stage, to_stage in moves:
        assert from_stage == previous, "two moves started from the same stage: the history forked"
        assert from_stage != to_stage
        previous = to_stage
