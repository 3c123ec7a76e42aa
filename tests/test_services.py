"""Services on a real database: happy paths, every refusal, and nothing written on error."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.drafts import (
    ContactDraft,
    EventDraft,
    FollowUpDraft,
    FundingDraft,
    InvestorDraft,
    LoiDraft,
    StartupDraft,
)
from ir_pipeline.enums import FollowUpStatus, LoiStatus, Role
from ir_pipeline.errors import Conflict, Forbidden, IllegalStageMove, Invalid, NotFound
from ir_pipeline.models import Deal, StageChange
from ir_pipeline.money import Money
from ir_pipeline.queries.deals import get_deal_detail
from ir_pipeline.services import deals, followups, fundings, lois, records, users
from ir_pipeline.stages import Stage
from tests.conftest import MANAGER, OWNER, STAFF, as_owner, owner_url
from tests.helpers import add_loi, count, loi, seed, snapshot


def test_records_are_created_and_names_normalised(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with read_only(engine) as session:
        detail = get_deal_detail(session, actor=STAFF, deal_id=s.deal_id)
    assert detail.deal.startup == "(주)그린그리드"
    assert [h.to_stage for h in detail.history] == [Stage.SOURCED]
    assert detail.history[0].changed_by == "tester"


@pytest.mark.parametrize(
    ("draft", "error", "message"),
    [
        (StartupDraft(name="그린그리드 주식회사"), Conflict, "already exists as '\\(주\\)그린그리드'"),
        (StartupDraft(name="   "), Invalid, "must not be empty"),
        (StartupDraft(name="Other", business_no="123"), Invalid, "10 digits"),
        (StartupDraft(name="x" * 201), Invalid, "201 characters long; at most 200 fit"),
    ],
)
def test_startup_refusals_write_nothing(
    engine: Engine, draft: StartupDraft, error: type, message: str
) -> None:
    seed(engine, STAFF)
    before = snapshot(engine)
    with pytest.raises(error, match=message), unit_of_work(engine) as session:
        records.create_startup(session, actor=STAFF, draft=draft)
    assert snapshot(engine) == before


def test_business_number_is_unique(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        records.create_startup(s, actor=STAFF, draft=StartupDraft(name="A", business_no="101-81-00001"))
    with pytest.raises(Conflict, match="already belongs to 'A'"), unit_of_work(engine) as s:
        records.create_startup(s, actor=STAFF, draft=StartupDraft(name="B", business_no="1018100001"))


def test_event_dates_and_names_are_checked(engine: Engine) -> None:
    with pytest.raises(Invalid, match=r"ends .* before it starts"), unit_of_work(engine) as s:
        records.create_event(
            s, actor=STAFF, draft=EventDraft(name="X", starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1))
        )
    seed(engine, STAFF)
    with pytest.raises(Conflict, match="already exists"), unit_of_work(engine) as s:
        records.create_event(s, actor=STAFF, draft=EventDraft(name="Demo Day", starts_on=date(2026, 1, 1)))


def test_investor_country_and_contacts(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with pytest.raises(Invalid, match="two-letter"), unit_of_work(engine) as session:
        records.create_investor(session, actor=STAFF, draft=InvestorDraft(name="Z", country="Koreaa"))
    with unit_of_work(engine) as session:  # names in English or Korean become the ISO code
        assert (
            records.create_investor(
                session, actor=STAFF, draft=InvestorDraft(name="Y", country="한국")
            ).country
            == "KR"
        )
        assert (
            records.create_investor(
                session, actor=STAFF, draft=InvestorDraft(name="X", country="Japan")
            ).country
            == "JP"
        )
    with pytest.raises(Invalid, match="exactly one"), unit_of_work(engine) as session:
        records.create_contact(
            session,
            actor=STAFF,
            draft=ContactDraft(name="Kim", investor_id=s.investor_id, startup_id=s.startup_id),
        )
    with pytest.raises(Invalid, match="not an e-mail"), unit_of_work(engine) as session:
        records.create_contact(
            session, actor=STAFF, draft=ContactDraft(name="Kim", investor_id=s.investor_id, email="kim")
        )
    with unit_of_work(engine) as session:
        view = records.create_contact(
            session,
            actor=STAFF,
            draft=ContactDraft(
                name="Kim Min-ji", investor_id=s.investor_id, email="mj@hanbit.example", role="Partner"
            ),
        )
    assert view.organisation == "Hanbit Ventures"
    with unit_of_work(engine) as session:
        edited = records.update_contact(
            session,
            actor=STAFF,
            contact_id=view.id,
            draft=ContactDraft(name="Kim Min-ji", investor_id=s.investor_id, phone="+82 10-1234-5678"),
        )
    assert edited.phone == "+82 10-1234-5678" and edited.email is None


def test_a_pair_has_one_deal(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with pytest.raises(Conflict, match="already have deal"), unit_of_work(engine) as session:
        deals.open_deal(session, actor=STAFF, startup_id=s.startup_id, investor_id=s.investor_id)


def test_unknown_references_are_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound, match="no startup #999"), unit_of_work(engine) as session:
        deals.open_deal(session, actor=STAFF, startup_id=999, investor_id=1)
    with pytest.raises(NotFound, match="no deal #42"), unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=42, to=Stage.PITCHED)


def test_full_journey_to_funded_appends_history(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.PITCHED)
    add_loi(engine, STAFF, s.deal_id, "5억")
    for stage in (Stage.DILIGENCE, Stage.TERM_SHEET):
        with unit_of_work(engine) as session:
            deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=stage, reason="going well")
    with unit_of_work(engine) as session:
        fundings.record_funding(
            session,
            actor=STAFF,
            deal_id=s.deal_id,
            draft=FundingDraft(amount=Money.parse("5억"), closed_on=date(2026, 9, 1)),
        )
    with read_only(engine) as session:
        detail = get_deal_detail(session, actor=STAFF, deal_id=s.deal_id)
    assert detail.deal.stage is Stage.FUNDED
    assert [(h.from_stage, h.to_stage) for h in detail.history] == [
        (None, Stage.SOURCED),
        (Stage.SOURCED, Stage.PITCHED),
        (Stage.PITCHED, Stage.LOI),
        (Stage.LOI, Stage.DILIGENCE),
        (Stage.DILIGENCE, Stage.TERM_SHEET),
        (Stage.TERM_SHEET, Stage.FUNDED),
    ]
    assert detail.history[2].reason == "LOI received"
    assert detail.fundings[0].amount == Money(500_000_000, "KRW")
    assert detail.allowed_moves == []


def test_illegal_move_changes_nothing(engine: Engine) -> None:
    s = seed(engine, STAFF)
    before = snapshot(engine)
    with (
        pytest.raises(IllegalStageMove, match="cannot move a deal from Sourced to Term sheet"),
        unit_of_work(engine) as session,
    ):
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.TERM_SHEET)
    assert snapshot(engine) == before


def test_lost_needs_a_reason(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with pytest.raises(Invalid, match="reason is required"), unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOST, reason="  ")
    with unit_of_work(engine) as session:
        change = deals.move_stage(
            session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOST, reason="valuation gap"
        )
    assert change.reason == "valuation gap"


def test_funded_needs_a_funding_record(engine: Engine) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    for stage in (Stage.DILIGENCE, Stage.TERM_SHEET):
        with unit_of_work(engine) as session:
            deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=stage)
    before = snapshot(engine)
    with pytest.raises(IllegalStageMove, match="no funding recorded"), unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.FUNDED)
    assert snapshot(engine) == before


def test_funding_on_a_deal_not_at_term_sheet_writes_nothing(engine: Engine) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    before = snapshot(engine)
    with pytest.raises(IllegalStageMove), unit_of_work(engine) as session:
        fundings.record_funding(
            session,
            actor=STAFF,
            deal_id=s.deal_id,
            draft=FundingDraft(amount=Money.parse("1억"), closed_on=date.today()),
        )
    assert snapshot(engine) == before


def test_on_hold_resumes_and_terminal_stays_terminal(engine: Engine) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    with unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.ON_HOLD, reason="fund closing")
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.DILIGENCE)
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOST, reason="passed")
    with pytest.raises(IllegalStageMove, match="final"), unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOI)
    assert count(engine, StageChange) == 4


def test_stage_history_rows_cannot_be_edited(engine: Engine) -> None:
    seed(engine, STAFF)
    from sqlmodel import select

    with pytest.raises(RuntimeError, match="append-only"), unit_of_work(engine) as session:
        change = session.exec(select(StageChange)).first()
        assert change is not None
        change.reason = "rewritten"
        session.flush()
    with read_only(engine) as session:
        assert session.exec(select(StageChange.reason)).first() == "deal opened"


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (LoiDraft(amount=Money(0, "KRW"), received_on=date(2026, 5, 2)), "more than zero"),
        (loi("3억", amount_max=Money.parse("2억")), "below the amount"),
        (loi("3억", amount_max=Money.parse("$5M")), "one currency"),
        (loi("3억", valid_until=date(2026, 1, 1)), "before it was received"),
    ],
)
def test_loi_refusals_write_nothing(engine: Engine, draft: LoiDraft, message: str) -> None:
    s = seed(engine, STAFF)
    before = snapshot(engine)
    with pytest.raises(Invalid, match=message), unit_of_work(engine) as session:
        lois.add_loi(session, actor=STAFF, deal_id=s.deal_id, draft=draft)
    assert snapshot(engine) == before


def test_loi_moves_an_early_deal_to_loi_but_not_a_later_one(engine: Engine) -> None:
    s = seed(engine, STAFF)
    add_loi(engine, STAFF, s.deal_id)
    with unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.DILIGENCE)
    add_loi(engine, STAFF, s.deal_id, "$2M")
    with read_only(engine) as session:
        detail = get_deal_detail(session, actor=STAFF, deal_id=s.deal_id)
    assert detail.deal.stage is Stage.DILIGENCE
    assert [x.amount for x in detail.lois] == [Money(300_000_000, "KRW"), Money(2_000_000, "USD")]


def test_loi_on_a_lost_deal_is_refused(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with unit_of_work(engine) as session:
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOST, reason="no fit")
    with pytest.raises(Invalid, match="takes no new LOIs"), unit_of_work(engine) as session:
        lois.add_loi(session, actor=STAFF, deal_id=s.deal_id, draft=loi())


def test_loi_edit_and_status(engine: Engine) -> None:
    s = seed(engine, STAFF)
    loi_id = add_loi(engine, STAFF, s.deal_id)
    with unit_of_work(engine) as session:
        edited = lois.update_loi(
            session,
            actor=STAFF,
            loi_id=loi_id,
            draft=loi("3억", amount_max=Money.parse("5억"), conditions="IC"),
        )
        lois.set_loi_status(session, actor=STAFF, loi_id=loi_id, status=LoiStatus.EXPIRED)
    assert edited.amount_max == Money(500_000_000, "KRW")
    with read_only(engine) as session:
        assert get_deal_detail(session, actor=STAFF, deal_id=s.deal_id).lois[0].status is LoiStatus.EXPIRED


def test_follow_up_lifecycle(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with unit_of_work(engine) as session:
        f = followups.add_follow_up(
            session,
            actor=STAFF,
            deal_id=s.deal_id,
            draft=FollowUpDraft(due_on=date(2026, 11, 20), note="call"),
        )
        followups.reschedule_follow_up(session, actor=STAFF, follow_up_id=f.id, due_on=date(2026, 11, 30))
        done = followups.complete_follow_up(session, actor=STAFF, follow_up_id=f.id, note="they want a deck")
    assert done.status is FollowUpStatus.DONE
    assert done.completed_at is not None and done.completed_at.tzinfo is not None
    assert done.note == "call\nthey want a deck"  # the original note is kept
    assert done.due_on == date(2026, 11, 30)
    with pytest.raises(Invalid, match="already done"), unit_of_work(engine) as session:
        followups.cancel_follow_up(session, actor=STAFF, follow_up_id=f.id)
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        followups.complete_follow_up(session, actor=STAFF, follow_up_id=999)


def test_only_staff_write(engine: Engine) -> None:
    s = seed(engine, STAFF)
    before = snapshot(engine)
    startup_user = Actor(name="gg", role=Role.STARTUP, startup_id=s.startup_id)
    for actor in (MANAGER, startup_user):
        with pytest.raises(Forbidden, match="only staff"), unit_of_work(engine) as session:
            lois.add_loi(session, actor=actor, deal_id=s.deal_id, draft=loi())
        with pytest.raises(Forbidden), unit_of_work(engine) as session:
            deals.move_stage(session, actor=actor, deal_id=s.deal_id, to=Stage.PITCHED)
    assert snapshot(engine) == before


def test_a_failed_action_rolls_back_its_earlier_writes(engine: Engine) -> None:
    s = seed(engine, STAFF)
    before = snapshot(engine)
    with pytest.raises(IllegalStageMove), unit_of_work(engine) as session:
        lois.add_loi(session, actor=STAFF, deal_id=s.deal_id, draft=loi())  # writes an LOI and a move
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.FUNDED)
    assert snapshot(engine) == before
    with read_only(engine) as session:
        assert session.get(Deal, s.deal_id).stage is Stage.SOURCED  # type: ignore[union-attr]


def test_users_and_actors(engine: Engine) -> None:
    s = seed(engine, STAFF)
    postgres = engine.dialect.name == "postgresql"
    if postgres:  # a login is the owner's to make: staff are told so, in one sentence
        with (
            pytest.raises(Forbidden, match="tester cannot add users: only the owner"),
            unit_of_work(engine) as s2,
        ):
            users.create_user(s2, actor=STAFF, name="gg", role=Role.STARTUP, startup_id=s.startup_id)
    maker, admin = (engine, STAFF)
    if postgres:  # the owner records the row (staff may not write app_user there)
        maker = make_engine(owner_url(engine.url.render_as_string(hide_password=False)))
        admin = Actor(name=OWNER, role=Role.STAFF, admin=True)
    with as_owner(), unit_of_work(maker) as session:  # a row only: no login of the whole server
        users.create_user(
            session, actor=admin, name="gg", role=Role.STARTUP, startup_id=s.startup_id, login=False
        )
    with pytest.raises(Invalid, match="needs the startup"), unit_of_work(engine) as session:
        users.create_user(session, actor=STAFF, name="x", role=Role.STARTUP, login=False)
    with as_owner(), pytest.raises(Conflict), unit_of_work(maker) as session:
        users.create_user(session, actor=admin, name="gg", role=Role.MANAGER, login=False)
    if postgres:
        maker.dispose()
    with read_only(engine) as session:
        actor = users.actor_for(session, "gg")
        assert actor.startup_scope == s.startup_id
        with pytest.raises(NotFound, match=r"users: .*gg"):
            users.actor_for(session, "nobody")


def test_timestamps_are_utc_aware(engine: Engine) -> None:
    s = seed(engine, STAFF)
    with read_only(engine) as session:
        deal = session.get(Deal, s.deal_id)
        assert deal is not None
        assert deal.created_at.utcoffset() is not None and deal.created_at.utcoffset().total_seconds() == 0


def test_corrections_are_new_changes_never_deletions(engine: Engine) -> None:
    """Reopening a follow-up, taking back a move and reopening a lost deal all append to the
    history; a funded deal stays funded; moving to lost cancels (not deletes) open follow-ups."""
    s = seed(engine, STAFF, stage=Stage.PITCHED)
    with unit_of_work(engine) as session:
        chase = followups.add_follow_up(
            session, actor=STAFF, deal_id=s.deal_id, draft=FollowUpDraft(due_on=date(2026, 6, 1))
        )
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOI)
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.LOST, reason="gone quiet")
    with read_only(engine) as session:
        detail = get_deal_detail(session, actor=MANAGER, deal_id=s.deal_id)
    assert (
        detail.follow_ups[0].status is FollowUpStatus.CANCELLED and "deal lost" in detail.follow_ups[0].note
    )
    with pytest.raises(Invalid, match="reason is required"), unit_of_work(engine) as session:
        deals.revert_stage(session, actor=STAFF, deal_id=s.deal_id)
    with pytest.raises(Invalid, match="reopen the deal first"), unit_of_work(engine) as session:
        followups.reopen_follow_up(session, actor=STAFF, follow_up_id=chase.id)
    with unit_of_work(engine) as session:
        change = deals.revert_stage(session, actor=STAFF, deal_id=s.deal_id, reason="new round")
        assert (change.from_stage, change.to_stage) == (Stage.LOST, Stage.LOI)
        # the follow-up that losing the deal cancelled is open again with it
        reopened = get_deal_detail(session, actor=MANAGER, deal_id=s.deal_id).follow_ups[0]
        assert reopened.id == chase.id and reopened.status is FollowUpStatus.OPEN
        with pytest.raises(Invalid, match="already open"):
            followups.reopen_follow_up(session, actor=STAFF, follow_up_id=chase.id)
        deals.revert_stage(session, actor=STAFF, deal_id=s.deal_id, reason="undo")  # LOI → Lost again
    with read_only(engine) as session:
        history = get_deal_detail(session, actor=MANAGER, deal_id=s.deal_id).history
    assert [h.to_stage for h in history] == [Stage.PITCHED, Stage.LOI, Stage.LOST, Stage.LOI, Stage.LOST]
    with unit_of_work(engine) as session:
        investor = records.create_investor(session, actor=STAFF, draft=InvestorDraft(name="Fresh Capital"))
        fresh = deals.open_deal(session, actor=STAFF, startup_id=s.startup_id, investor_id=investor.id)
    with pytest.raises(IllegalStageMove, match="no move to take back"), unit_of_work(engine) as session:
        deals.revert_stage(session, actor=STAFF, deal_id=fresh.id)


def test_deal_search_by_korean_or_english_name_and_wildcards_taken_literally(engine: Engine) -> None:
    from ir_pipeline.queries.deals import DealFilter, list_deals

    s = seed(engine, STAFF)  # (주)그린그리드 × Hanbit Ventures
    with unit_of_work(engine) as session:
        other = records.create_startup(session, actor=STAFF, draft=StartupDraft(name="Blue_Sky 100%"))
        deals.open_deal(session, actor=STAFF, startup_id=other.id, investor_id=s.investor_id)

    def found(text: str) -> list[str]:
        with read_only(engine) as session:
            page = list_deals(session, actor=MANAGER, flt=DealFilter(search=text))
        assert page.total == len(page.rows)
        return sorted(r.startup for r in page.rows)

    assert found("그린") == ["(주)그린그리드"]  # Korean, legal form ignored
    assert found("hanbit") == ["(주)그린그리드", "Blue_Sky 100%"]  # by investor, both deals
    assert found("sky 100") == ["Blue_Sky 100%"]
    assert found("%") == [] and found("_") == []  # wildcards are text, not "everything"


def test_name_search_uses_the_trigram_index_and_follows_renames(engine: Engine) -> None:
    """Three characters or more go through the trigram index (FTS5 on SQLite, pg_trgm on
    PostgreSQL), which triggers keep in step with renames; shorter searches scan the names."""
    from ir_pipeline.queries.deals import DealFilter, list_deals

    s = seed(engine, STAFF)  # (주)그린그리드 × Hanbit Ventures

    def found(text: str) -> list[str]:
        with read_only(engine) as session:
            return sorted(
                r.startup for r in list_deals(session, actor=MANAGER, flt=DealFilter(search=text)).rows
            )

    assert found("그린그") == ["(주)그린그리드"]  # three Hangul syllables: the index
    assert found("린그리드") == ["(주)그린그리드"]  # the middle of a name
    assert found("HANBIT VEN") == ["(주)그린그리드"]  # case folded, through the investor
    assert found('an"bi') == found("anbi")  # quotes are text (and, like spaces, not part of a name key)
    assert found('"; DROP') == [] and found('"') == []
    with unit_of_work(engine) as session:
        records.update_startup(
            session, actor=STAFF, startup_id=s.startup_id, draft=StartupDraft(name="블루오션랩")
        )
    assert found("그린그") == []
    assert found("블루오션") == ["블루오션랩"]
    assert found("오션") == ["블루오션랩"]  # two syllables: a scan of the names


def test_a_funding_converts_the_standing_loi_and_leaves_a_withdrawn_one(engine: Engine) -> None:
    s = seed(engine, STAFF, stage=Stage.PITCHED)
    with unit_of_work(engine) as session:
        kept = lois.add_loi(
            session, actor=STAFF, deal_id=s.deal_id, draft=LoiDraft(Money.parse("3억"), date(2026, 5, 2))
        )
        gone = lois.add_loi(
            session, actor=STAFF, deal_id=s.deal_id, draft=LoiDraft(Money.parse("1억"), date(2026, 5, 1))
        )
        lois.set_loi_status(session, actor=STAFF, loi_id=gone.id, status=LoiStatus.WITHDRAWN)
        for to in (Stage.DILIGENCE, Stage.TERM_SHEET):
            deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=to)
        fundings.record_funding(
            session, actor=STAFF, deal_id=s.deal_id, draft=FundingDraft(Money.parse("3억"), date(2026, 6, 1))
        )
    with read_only(engine) as session:
        statuses = {x.id: x.status for x in get_deal_detail(session, actor=MANAGER, deal_id=s.deal_id).lois}
    assert statuses == {kept.id: LoiStatus.CONVERTED, gone.id: LoiStatus.WITHDRAWN}
