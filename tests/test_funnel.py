"""Funnel figures on the demo and on hand-made data, computed in SQL, scoped by role."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import select

from ir_pipeline.actors import Actor
from ir_pipeline.db import read_only
from ir_pipeline.demo import EVENT_NAME
from ir_pipeline.enums import Role
from ir_pipeline.lookup import resolve_event, resolve_investor, resolve_startup
from ir_pipeline.models import Startup
from ir_pipeline.money import Money, Totals, format_korean
from ir_pipeline.queries.funnel import FunnelFilter, funnel
from ir_pipeline.stages import Stage
from tests.conftest import MANAGER, STAFF
from tests.helpers import add_loi, seed


def test_demo_reproduces_the_wscw_2018_figures(demo_engine: Engine) -> None:
    with read_only(demo_engine) as session:
        result = funnel(session, actor=MANAGER)
    assert result.lois.count == 26
    assert result.lois.startups == 8
    assert result.lois.total.as_json() == {"KRW": "17150000000"}
    assert format_korean(result.lois.total["KRW"]) == "171억 5천만 원"


def test_stage_amounts_add_up_to_the_loi_total(demo_engine: Engine) -> None:
    with read_only(demo_engine) as session:
        result = funnel(session, actor=MANAGER)
    summed = Totals(s.amount["KRW"] for s in result.stages if "KRW" in s.amount)
    assert summed.as_json() == result.lois.total.as_json()
    by_stage = {s.stage: s.deals for s in result.stages}
    assert by_stage[Stage.FUNDED] == 1 and by_stage[Stage.TERM_SHEET] == 1
    assert by_stage[Stage.LOST] == 2 and by_stage[Stage.ON_HOLD] == 1
    assert sum(by_stage.values()) == 32


def test_conversion_and_drop_off_follow_history(demo_engine: Engine) -> None:
    with read_only(demo_engine) as session:
        stages = {s.stage: s for s in funnel(session, actor=MANAGER).stages}
    assert stages[Stage.LOI].reached == 26
    assert stages[Stage.DILIGENCE].reached == 5
    assert stages[Stage.LOI].conversion == Decimal("0.1923")
    assert stages[Stage.LOI].dropped == 21
    assert stages[Stage.LOI].lost_from == 2
    assert stages[Stage.FUNDED].reached == 1 and stages[Stage.FUNDED].conversion is None


def test_filters_by_event_startup_and_investor(demo_engine: Engine) -> None:
    with read_only(demo_engine) as session:
        event = resolve_event(session, "wscw 2018", actor=STAFF)
        mobility = resolve_startup(session, "mobility lab", actor=STAFF)
        k_city = resolve_investor(session, "K-City", actor=STAFF)
        by_event = funnel(session, actor=MANAGER, flt=FunnelFilter(event_id=event.id))
        by_startup = funnel(session, actor=MANAGER, flt=FunnelFilter(startup_id=mobility.id))
        by_investor = funnel(session, actor=MANAGER, flt=FunnelFilter(investor_id=k_city.id))
    assert event.name == EVENT_NAME
    assert by_event.lois.count == 26
    assert (by_startup.lois.count, by_startup.lois.total["KRW"]) == (4, Money(4_000_000_000, "KRW"))
    assert (by_investor.lois.count, by_investor.lois.startups) == (2, 2)
    assert by_investor.lois.total["KRW"] == Money(3_000_000_000, "KRW")


def test_a_startup_user_sees_only_its_own_figures(demo_engine: Engine) -> None:
    with read_only(demo_engine) as session:
        greengrid = session.exec(select(Startup).where(Startup.name == "GreenGrid (demo)")).one()
        actor = Actor(name="greengrid", role=Role.STARTUP, startup_id=greengrid.id)
        own = funnel(session, actor=actor)
        # asking for another startup through the filter still yields nothing of theirs
        other = funnel(session, actor=actor, flt=FunnelFilter(startup_id=(greengrid.id or 0) + 1))
    assert (own.lois.count, own.lois.startups) == (5, 1)
    assert [r.name for r in own.by_startup] == ["GreenGrid (demo)"]
    assert other.lois.count == 0 and other.by_startup == []


def test_currencies_are_totalled_separately(engine: Engine) -> None:
    s = seed(engine, STAFF)
    add_loi(engine, STAFF, s.deal_id, "3억")
    add_loi(engine, STAFF, s.deal_id, "$2M")
    with read_only(engine) as session:
        result = funnel(session, actor=STAFF)
    assert result.lois.total.as_json() == {"KRW": "300000000", "USD": "2000000.00"}
    loi_stage = next(x for x in result.stages if x.stage is Stage.LOI)
    assert loi_stage.amount.as_json() == {"KRW": "300000000", "USD": "2000000.00"}


def test_empty_database_has_an_empty_funnel(engine: Engine) -> None:
    with read_only(engine) as session:
        result = funnel(session, actor=MANAGER)
    assert result.lois.count == 0 and len(result.lois.total) == 0
    assert all(s.deals == 0 for s in result.stages)
    assert next(s for s in result.stages if s.stage is Stage.SOURCED).conversion is None


def test_money_in_the_bank_beside_the_lois(demo_engine: Engine) -> None:
    """The Funded row carries the money received, not only the LOIs behind it; so do the rankings."""
    from datetime import date

    from ir_pipeline.db import unit_of_work
    from ir_pipeline.drafts import FundingDraft
    from ir_pipeline.services import deals, fundings

    with unit_of_work(demo_engine) as s:
        deals.move_stage(s, actor=STAFF, deal_id=1, to=Stage.TERM_SHEET)  # GreenGrid × Hanbit
        fundings.record_funding(
            s,
            actor=STAFF,
            deal_id=1,
            draft=FundingDraft(amount=Money(200_000_000, "KRW"), closed_on=date(2026, 11, 20)),
        )
    with read_only(demo_engine) as s:
        result = funnel(s, actor=MANAGER)
        greengrid = funnel(s, actor=MANAGER, flt=FunnelFilter(startup_id=1))
    assert result.funded.count == 2 and result.funded.deals == 2
    assert result.funded.total.as_json() == {"KRW": "2200000000"}
    assert result.funded.of_loi_amount == {"KRW": Decimal("0.1283")}  # 22억 of 171.5억
    funded_row = next(x for x in result.stages if x.stage is Stage.FUNDED)
    assert funded_row.funded.as_json() == {"KRW": "2200000000"}
    assert funded_row.amount.as_json() != funded_row.funded.as_json()  # LOIs and money differ
    assert greengrid.funded.total.as_json() == {"KRW": "200000000"}
    assert next(r for r in result.by_startup if r.id == 1).funded.as_json() == {"KRW": "200000000"}


def test_rankings_from_the_totals_match_the_base_rows_with_ties(engine: Engine) -> None:
    """Rankings read from the running totals (one currency: members' cells as they stand; several:
    grouped) and from one investor's or startup's deals order exactly as the base rows do, ties on
    the amount broken by the number of LOIs, then by id."""
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.drafts import InvestorDraft, StartupDraft
    from ir_pipeline.queries.converted import attach
    from ir_pipeline.queries.funnel import funnel_from_rows
    from ir_pipeline.services import deals, records

    with unit_of_work(engine) as s:
        startups = [
            records.create_startup(s, actor=STAFF, draft=StartupDraft(name=f"Tie {n}")).id for n in range(4)
        ]
        investors = [
            records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"Fund {n}")).id
            for n in range(3)
        ]
        opened = {
            (a, b): deals.open_deal(s, actor=STAFF, startup_id=a, investor_id=b, stage=Stage.PITCHED).id
            for a in startups
            for b in investors
        }
    # Tie 0 and Tie 1: 3억 each, Tie 1 in two LOIs; Tie 2: 3억 in one, Tie 3: no KRW at all
    for (a, b), amounts in {
        (startups[0], investors[0]): ["3억"],
        (startups[1], investors[0]): ["1억", "2억"],
        (startups[2], investors[1]): ["3억"],
        (startups[1], investors[2]): ["5천만"],
    }.items():
        for amount in amounts:
            add_loi(engine, STAFF, opened[(a, b)], amount)

    def both(flt: FunnelFilter) -> None:
        with read_only(engine) as session:
            kept, rows = (
                funnel(session, actor=MANAGER, flt=flt),
                # the converted figures from the rows too: the totals keep those as well
                attach(session, funnel_from_rows(session, actor=MANAGER, flt=flt), actor=MANAGER, flt=flt),
            )
        assert kept == rows, flt

    views = [FunnelFilter(), FunnelFilter(investor_id=investors[0]), FunnelFilter(startup_id=startups[1])]
    for flt in views:
        both(flt)
    with read_only(engine) as session:
        order = [r.id for r in funnel(session, actor=MANAGER).by_startup]
    assert order == [startups[1], startups[0], startups[2]]  # 3.5억; then 3억 by 2 LOIs over 1, by id
    add_loi(engine, STAFF, opened[(startups[3], investors[0])], "$2M")  # a second currency
    add_loi(engine, STAFF, opened[(startups[0], investors[1])], "$1M")
    for flt in views:
        both(flt)
