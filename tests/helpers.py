"""Small helpers shared by the database tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import EventDraft, InvestorDraft, LoiDraft, StartupDraft
from ir_pipeline.money import Money
from ir_pipeline.services import deals, lois, records
from ir_pipeline.stages import Stage


def count(engine: Engine, model: type[SQLModel]) -> int:
    with read_only(engine) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table: equal before and after means nothing was written."""
    with read_only(engine) as session:
        return {
            t.name: int(session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in SQLModel.metadata.sorted_tables
        }


@dataclass(frozen=True)
class Seed:
    event_id: int
    startup_id: int
    investor_id: int
    deal_id: int


def seed(engine: Engine, actor: Actor, *, stage: Stage = Stage.SOURCED) -> Seed:
    with unit_of_work(engine) as s:
        event = records.create_event(
            s, actor=actor, draft=EventDraft(name="Demo Day", starts_on=date(2026, 5, 1))
        )
        startup = records.create_startup(
            s, actor=actor, draft=StartupDraft(name="(주)그린그리드", sector="energy")
        )
        investor = records.create_investor(s, actor=actor, draft=InvestorDraft(name="Hanbit Ventures"))
        deal = deals.open_deal(
            s, actor=actor, startup_id=startup.id, investor_id=investor.id, event_id=event.id, stage=stage
        )
    return Seed(event.id, startup.id, investor.id, deal.id)


def loi(amount: str = "3억", received: date = date(2026, 5, 2), **kwargs: object) -> LoiDraft:
    return LoiDraft(amount=Money.parse(amount), received_on=received, **kwargs)  # type: ignore[arg-type]


def add_loi(engine: Engine, actor: Actor, deal_id: int, amount: str = "3억") -> int:
    with unit_of_work(engine) as s:
        return lois.add_loi(s, actor=actor, deal_id=deal_id, draft=loi(amount)).id
