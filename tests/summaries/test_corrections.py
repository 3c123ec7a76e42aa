"""Corrections never skew a figure: after any sequence of moves, losses, reverts, undos of
undos, LOIs and fundings, every funnel figure and every deal's stage and days in stage equal what
the stage history alone says, replayed here by its own rule (an undo returns the deal to the
state before the move it names).

The state machine runs on SQLite and on PostgreSQL (as the staff login) in one database per
backend: each example works on a startup of its own, whose funnel is read from the running
totals, so examples are cheap enough to run hundreds of.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import FundingDraft, InvestorDraft, LoiDraft, StartupDraft
from ir_pipeline.errors import IrpError
from ir_pipeline.models import Deal, StageChange
from ir_pipeline.money import Money
from ir_pipeline.queries.funnel import FunnelFilter, funnel
from ir_pipeline.services import deals, fundings, lois, records
from ir_pipeline.stages import FUNNEL, Stage
from tests.conftest import MANAGER, STAFF, TODAY
from tests.test_cli import irp

EXAMPLES = int(os.environ.get("IRP_CORRECTION_EXAMPLES", "200"))
_names = itertools.count()


@dataclass(frozen=True)
class Expected:
    stage: Stage
    since: datetime
    reached: Stage | None
    lost_from: Stage | None


def replay(rows: list[Any]) -> Expected:
    """The state a deal's history leaves it in, by the documented rule, written out plainly."""
    rank = {s: i for i, s in enumerate(FUNNEL)}
    after: dict[int, Expected] = {}
    previous: dict[int, Expected | None] = {}
    state: Expected | None = None
    for row in rows:
        if row.undoes_id is not None and previous.get(row.undoes_id) is not None:
            new = previous[row.undoes_id]
        else:
            reached = state.reached if state is not None else None
            if row.to_stage in rank and (reached is None or rank[row.to_stage] > rank[reached]):
                reached = row.to_stage
            lost = row.from_stage if row.to_stage is Stage.LOST else None
            new = Expected(row.to_stage, row.changed_at, reached, lost)
        previous[row.id] = state
        after[row.id] = new
        state = new
    assert state is not None
    return state


class Corrections(RuleBasedStateMachine):
    engine: Engine

    @initialize(
        stages=st.lists(st.sampled_from([Stage.SOURCED, Stage.PITCHED, Stage.LOI]), min_size=3, max_size=3)
    )
    def deals_of_a_new_startup(self, stages: list[Stage]) -> None:
        n = next(_names)
        with unit_of_work(self.engine) as s:
            startup = records.create_startup(
                s, actor=STAFF, draft=StartupDraft(name=f"Machine Co {os.getpid()}-{n}")
            )
            self.startup = startup.id
            self.deals = []
            for k, stage in enumerate(stages):
                investor = records.create_investor(
                    s, actor=STAFF, draft=InvestorDraft(name=f"Machine Capital {os.getpid()}-{n}-{k}")
                )
                self.deals.append(
                    deals.open_deal(
                        s, actor=STAFF, startup_id=startup.id, investor_id=investor.id, stage=stage
                    ).id
                )

    def _try(self, fn: Any, **kwargs: Any) -> None:
        # a day passes before each change, so every move has its own instant and the days in
        # stage tell an undone move's date from the one it returns to
        day = date.fromisoformat(os.environ["IRP_TODAY"]) + timedelta(days=1)
        os.environ["IRP_TODAY"] = day.isoformat()  # the test's monkeypatch puts it back
        try:
            with unit_of_work(self.engine) as s:
                fn(s, actor=STAFF, **kwargs)
        except IrpError:
            pass  # an illegal move or a revert with nothing to take back: refused, nothing written

    @rule(data=st.data(), to=st.sampled_from([s for s in Stage if s is not Stage.FUNDED]))
    def move(self, data: st.DataObject, to: Stage) -> None:
        self._try(deals.move_stage, deal_id=data.draw(st.sampled_from(self.deals)), to=to, reason="why")

    @rule(data=st.data())
    def revert(self, data: st.DataObject) -> None:  # twice in a row is an undo of the undo
        self._try(deals.revert_stage, deal_id=data.draw(st.sampled_from(self.deals)), reason="correction")

    @rule(data=st.data(), amount=st.sampled_from(["3억", "$2M", "5천만"]))
    def add_loi(self, data: st.DataObject, amount: str) -> None:
        draft = LoiDraft(amount=Money.parse(amount), received_on=TODAY)
        self._try(lois.add_loi, deal_id=data.draw(st.sampled_from(self.deals)), draft=draft)

    @rule(data=st.data())
    def fund(self, data: st.DataObject) -> None:
        draft = FundingDraft(amount=Money.parse("₩100,000,000"), closed_on=TODAY)
        self._try(fundings.record_funding, deal_id=data.draw(st.sampled_from(self.deals)), draft=draft)

    @invariant()
    def the_figures_are_the_historys(self) -> None:
        with read_only(self.engine) as s:
            expected = {}
            for deal_id in self.deals:
                rows = (
                    s.execute(
                        sa.select(StageChange)
                        .where(StageChange.deal_id == deal_id)  # type: ignore[arg-type]
                        .order_by(StageChange.changed_at, StageChange.id)  # type: ignore[arg-type]
                    )
                    .scalars()
                    .all()
                )
                expected[deal_id] = replay(list(rows))
                deal = s.get(Deal, deal_id)
                assert deal is not None
                e = expected[deal_id]
                assert (deal.stage, deal.reached, deal.lost_from) == (e.stage, e.reached, e.lost_from), (
                    deal_id
                )
                assert deal.stage_changed_at == e.since, deal_id  # the days in stage
            figures = funnel(s, actor=MANAGER, flt=FunnelFilter(startup_id=self.startup))
        by_stage = {f.stage: f for f in figures.stages}
        for i, stage in enumerate(FUNNEL):
            f = by_stage[stage]
            assert f.deals == sum(e.stage is stage for e in expected.values()), stage
            assert f.reached == sum(
                e.reached is not None and FUNNEL.index(e.reached) >= i for e in expected.values()
            ), stage
            assert f.lost_from == sum(e.lost_from is stage for e in expected.values()), stage
        for stage in (Stage.LOST, Stage.ON_HOLD):
            assert by_stage[stage].deals == sum(e.stage is stage for e in expected.values())


def test_every_figure_is_what_the_history_says(engine: Engine) -> None:
    class Machine(Corrections):
        pass

    Machine.engine = engine
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


def test_the_readme_sequence_leaves_every_figure_as_it_was(demo_db_url: str) -> None:
    """README: ``irp deal move 19 lost --reason "valuation gap"``, then ``irp deal revert 19``."""
    before = irp("funnel", "--json", db=demo_db_url)[1]
    shown = irp("deal", "show", "19", "--json", db=demo_db_url)[1]
    assert irp("deal", "move", "19", "lost", "--reason", "valuation gap", db=demo_db_url)[0] == 0
    assert irp("funnel", "--json", db=demo_db_url)[1] != before
    assert irp("deal", "revert", "19", "--reason", "wrong deal", db=demo_db_url)[0] == 0
    assert irp("funnel", "--json", db=demo_db_url)[1] == before
    then, now = json.loads(shown), json.loads(irp("deal", "show", "19", "--json", db=demo_db_url)[1])
    assert now["deal"]["stage_changed_at"] == then["deal"]["stage_changed_at"]  # days in stage run on


def test_undoing_a_close_gives_the_note_back_exactly(engine: Engine) -> None:
    cycles = 2
    from ir_pipeline.drafts import FollowUpDraft
    from ir_pipeline.services import followups

    with unit_of_work(engine) as s:
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Note Co"))
        investor = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name="Note Capital"))
        deal = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
        f = followups.add_follow_up(
            s, actor=STAFF, deal_id=deal.id, draft=FollowUpDraft(due_on=TODAY, note="send the deck")
        )
    for _ in range(cycles):
        with unit_of_work(engine) as s:
            done = followups.complete_follow_up(s, actor=STAFF, follow_up_id=f.id, note="sent")
            assert done.note == "send the deck\nsent"
            back = followups.reopen_follow_up(
                s, actor=STAFF, follow_up_id=f.id, restore_note="send the deck", expected_version=done.version
            )
        assert back.note == "send the deck"
    with unit_of_work(engine) as s:  # losing the deal and bringing it back leaves no line either
        deals.move_stage(s, actor=STAFF, deal_id=deal.id, to=Stage.LOST, reason="quiet")
        deals.revert_stage(s, actor=STAFF, deal_id=deal.id, reason="back")
    with read_only(engine) as s:
        from ir_pipeline.queries.deals import get_deal_detail

        (again,) = get_deal_detail(s, actor=MANAGER, deal_id=deal.id).follow_ups
    assert again.note == "send the deck" and again.status.value == "open"
