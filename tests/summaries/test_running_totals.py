"""The funnel's running totals (and the deals' kept sort columns) stay equal to a recomputation
from the base rows after every service call, import, failed call and rolled-back transaction, on
SQLite and on PostgreSQL.

A hypothesis state machine drives random sequences of changes through the real services and
checks two things after each step: ``irp db check-aggregates`` finds no difference, and the
funnel read from the totals equals the funnel computed from the base rows for everything, an
event, a startup, an investor, and a startup user's own view.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlmodel import Session, select

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.drafts import EventDraft, FollowUpDraft, FundingDraft, InvestorDraft, LoiDraft, StartupDraft
from ir_pipeline.enums import LoiStatus, Role
from ir_pipeline.errors import IrpError
from ir_pipeline.fx.rates import Rate
from ir_pipeline.fx.service import store_rates
from ir_pipeline.io.importer import import_file
from ir_pipeline.models import Deal
from ir_pipeline.money import Money
from ir_pipeline.queries.converted import attach
from ir_pipeline.queries.funnel import FunnelFilter, funnel, funnel_from_rows
from ir_pipeline.services import deals, followups, fundings, lois, records
from ir_pipeline.stages import Stage
from ir_pipeline.summaries import check
from tests.conftest import PG_ADMIN, STAFF, pg_url

STARTUPS = ["(주)그린그리드", "Mobility Lab", "에어센스"]
INVESTORS = ["Hanbit Ventures", "블루하버캐피탈", "Daehan Tech"]
RATES = [
    Rate("USD", "KRW", date(2026, 5, 1), Decimal("1380.25"), "test"),
    Rate("EUR", "KRW", date(2026, 5, 1), Decimal("1490.5"), "test"),
    Rate("USD", "KRW", date(2026, 5, 3), Decimal("1391"), "test"),
]
AMOUNTS = st.sampled_from(["3억", "1억 5천만", "$2M", "€750,000", "9,223,372,036,854,775,807원", "5천만"])
#: An index into the names: 3 is a name nobody knows, which rejects the whole file.
KNOWN_MOSTLY = st.sampled_from([0, 1, 2, 0, 1, 2, 3])
_count = iter(range(10**9))


class Boom(Exception):
    """A failure half-way through a unit of work: everything it wrote must roll back."""


class TotalsMachine(RuleBasedStateMachine):
    backend = "sqlite"
    template: Any = None
    directory: Path = Path()

    def __init__(self) -> None:
        super().__init__()
        n = next(_count)
        if self.backend == "sqlite":
            target = self.directory / f"machine-{n}.sqlite3"
            shutil.copyfile(self.template, target)
            self.url = f"sqlite:///{target}"
        else:
            self.dbname = f"irp_machine_{os.getpid()}_{n}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.dbname}" TEMPLATE "{self.template}"')
            self.url = pg_url(self.dbname)
        self.engine = make_engine(self.url)
        self.deals: list[int] = []
        self.lois: list[int] = []
        self.follow_ups: list[int] = []
        self.startups: list[int] = []
        self.investors: list[int] = []
        self.event = 0
        self.files = 0

    def teardown(self) -> None:
        self.engine.dispose()
        if self.backend == "postgresql":
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def _write(self, fn: Any, **kwargs: Any) -> Any:
        try:
            with unit_of_work(self.engine) as session:
                return fn(session, actor=STAFF, **kwargs)
        except IrpError:
            return None  # refused: the transaction rolled back, and the totals with it

    @initialize()
    def records(self) -> None:
        with unit_of_work(self.engine) as s:
            self.event = records.create_event(
                s, actor=STAFF, draft=EventDraft(name="Demo Day", starts_on=date(2026, 5, 1))
            ).id
            # rates, so dollar and euro records take snapshots (and the kept rate cells move as
            # LOIs are received on the 2nd and edited on the 3rd, at another dollar rate)
            store_rates(s, actor=STAFF, rates=RATES)
            self.startups = [
                records.create_startup(s, actor=STAFF, draft=StartupDraft(name=n)).id for n in STARTUPS
            ]
            self.investors = [
                records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=n)).id for n in INVESTORS
            ]

    @rule(
        s=st.integers(0, 2), i=st.integers(0, 2), at_event=st.booleans(), stage=st.sampled_from(list(Stage))
    )
    def open_deal(self, s: int, i: int, at_event: bool, stage: Stage) -> None:
        row = self._write(
            deals.open_deal,
            startup_id=self.startups[s],
            investor_id=self.investors[i],
            event_id=self.event if at_event else None,
            stage=stage,
        )
        if row is not None:
            self.deals.append(row.id)

    @rule(data=st.data(), amount=AMOUNTS, upper=st.booleans())
    def add_loi(self, data: st.DataObject, amount: str, upper: bool) -> None:
        if not self.deals:
            return
        deal = data.draw(st.sampled_from(self.deals))
        money = Money.parse(amount)
        draft = LoiDraft(amount=money, received_on=date(2026, 5, 2), amount_max=money if upper else None)
        view = self._write(lois.add_loi, deal_id=deal, draft=draft)
        if view is not None:
            self.lois.append(view.id)

    @rule(data=st.data(), amount=AMOUNTS)
    def edit_loi(self, data: st.DataObject, amount: str) -> None:
        if self.lois:
            loi = data.draw(st.sampled_from(self.lois))
            draft = LoiDraft(amount=Money.parse(amount), received_on=date(2026, 5, 3))
            self._write(lois.update_loi, loi_id=loi, draft=draft)

    @rule(data=st.data(), status=st.sampled_from(list(LoiStatus)))
    def loi_status(self, data: st.DataObject, status: LoiStatus) -> None:
        if self.lois:
            self._write(lois.set_loi_status, loi_id=data.draw(st.sampled_from(self.lois)), status=status)

    @rule(data=st.data(), to=st.sampled_from(list(Stage)))
    def move(self, data: st.DataObject, to: Stage) -> None:
        if self.deals:
            deal = data.draw(st.sampled_from(self.deals))
            self._write(deals.move_stage, deal_id=deal, to=to, reason="hypothesis")

    @rule(data=st.data())
    def revert(self, data: st.DataObject) -> None:
        if self.deals:
            self._write(deals.revert_stage, deal_id=data.draw(st.sampled_from(self.deals)), reason="back")

    @rule(data=st.data(), amount=AMOUNTS)
    def fund(self, data: st.DataObject, amount: str) -> None:
        if self.deals:
            draft = FundingDraft(amount=Money.parse(amount), closed_on=date(2026, 6, 1))
            self._write(fundings.record_funding, deal_id=data.draw(st.sampled_from(self.deals)), draft=draft)

    @rule(data=st.data(), days=st.integers(-30, 30))
    def add_follow_up(self, data: st.DataObject, days: int) -> None:
        if self.deals:
            view = self._write(
                followups.add_follow_up,
                deal_id=data.draw(st.sampled_from(self.deals)),
                draft=FollowUpDraft(due_on=date(2026, 11, 25) + timedelta(days=days)),
            )
            if view is not None:
                self.follow_ups.append(view.id)

    @rule(data=st.data(), done=st.booleans())
    def close_follow_up(self, data: st.DataObject, done: bool) -> None:
        if self.follow_ups:
            close = followups.complete_follow_up if done else followups.cancel_follow_up
            self._write(close, follow_up_id=data.draw(st.sampled_from(self.follow_ups)))

    @rule(data=st.data(), amount=AMOUNTS)
    def fail_half_way(self, data: st.DataObject, amount: str) -> None:
        """An LOI and a move written, then the unit of work fails: nothing of it may remain."""
        if not self.deals:
            return
        deal = data.draw(st.sampled_from(self.deals))
        try:
            with unit_of_work(self.engine) as s:
                lois.add_loi(
                    s, actor=STAFF, deal_id=deal, draft=LoiDraft(Money.parse(amount), date(2026, 5, 2))
                )
                deals.move_stage(s, actor=STAFF, deal_id=deal, to=Stage.LOST, reason="changed mind")
                raise Boom
        except (Boom, IrpError):
            pass

    @rule(
        rows=st.lists(st.tuples(KNOWN_MOSTLY, KNOWN_MOSTLY, AMOUNTS), min_size=1, max_size=3),
        dry_run=st.booleans(),
    )
    def import_lois(self, rows: list[tuple[int, int, str]], dry_run: bool) -> None:
        """Rows name known companies, or an unknown one (index 3) that rejects the whole file."""
        names = [*STARTUPS, "Nobody Known"], [*INVESTORS, "Nobody Known"]
        self.files += 1
        path = self.directory / f"lois-{next(_count)}.csv"
        lines = ["startup,investor,amount,received_on,event"]
        lines += [
            f'"{names[0][s]}","{names[1][i]}","{a}",2026-05-0{1 + self.files % 9},Demo Day'
            for s, i, a in rows
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            with unit_of_work(self.engine) as s:
                import_file(s, actor=STAFF, kind="lois", path=path, dry_run=dry_run)
        except IrpError:
            pass
        with read_only(self.engine) as s:
            self.deals = list(s.exec(select(Deal.id)).all())  # type: ignore[arg-type]

    @invariant()
    def totals_agree(self) -> None:
        with read_only(self.engine) as session:
            assert check.check(session.connection()) == []
            assert check.stale_deals(session.connection()) == []
            self._same_funnels(session)

    def _same_funnels(self, session: Session) -> None:
        views = [(STAFF, FunnelFilter()), (STAFF, FunnelFilter(event_id=self.event))]
        views += [(STAFF, FunnelFilter(startup_id=s)) for s in self.startups[:2]]
        views += [(STAFF, FunnelFilter(investor_id=i)) for i in self.investors[:2]]
        own = (
            Actor(name="greengrid", role=Role.STARTUP, startup_id=self.startups[0]) if self.startups else None
        )
        if own is not None:
            views.append((own, FunnelFilter()))
        for actor, flt in views:
            rows = attach(session, funnel_from_rows(session, actor=actor, flt=flt), actor=actor, flt=flt)
            assert funnel(session, actor=actor, flt=flt) == rows, flt


#: The examples run as two halves, so parallel workers share them (the same number in all).
HALVES = (1, 2)


@pytest.mark.parametrize("half", HALVES)
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_running_totals_equal_a_recomputation_after_every_step(
    backend: str, half: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    template = request.getfixturevalue("sqlite_template" if backend == "sqlite" else "pg_template")

    class Machine(TotalsMachine):
        pass

    Machine.backend = backend
    Machine.template = template
    Machine.directory = tmp_path
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=max(1, int(os.environ.get("IRP_TOTALS_EXAMPLES", "8")) // len(HALVES)),
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
