"""Keyset pages of the pipeline: every sort, both directions, both databases. Walking the pages
while other deals are added between them shows every deal that was there exactly once, never one
twice, and the counts come from the running totals or say "10,000+"."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import FollowUpDraft, InvestorDraft, LoiDraft, StartupDraft
from ir_pipeline.errors import Invalid
from ir_pipeline.money import Money
from ir_pipeline.queries import deals as deal_queries
from ir_pipeline.queries.deals import DealFilter, deal_count, list_deals
from ir_pipeline.services import deals, followups, lois, records
from ir_pipeline.stages import Stage
from tests.conftest import STAFF

SORTS = ["id", "startup", "investor", "stage", "last_loi", "next_follow_up", "stage_changed_at"]
STAGES = [Stage.SOURCED, Stage.PITCHED, Stage.LOI, Stage.DILIGENCE, Stage.TERM_SHEET]


def _populate(engine: Engine, startups: int, investors: int, start: int = 0) -> list[int]:
    """Deals with repeated names, amounts and dates (ties the cursor must break by id), some
    without an LOI or a follow-up (empty values, shown last)."""
    made = []
    with unit_of_work(engine) as s:
        s_ids = [
            records.create_startup(s, actor=STAFF, draft=StartupDraft(name=f"스타트업 {n % 4} {n}")).id
            for n in range(start, start + startups)
        ]
        i_ids = [
            records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=f"Fund {n % 3} {n}")).id
            for n in range(start, start + investors)
        ]
        for n, (a, b) in enumerate(itertools.product(s_ids, i_ids)):
            row = deals.open_deal(s, actor=STAFF, startup_id=a, investor_id=b, stage=STAGES[n % len(STAGES)])
            made.append(row.id)
            if n % 3:
                lois.add_loi(
                    s,
                    actor=STAFF,
                    deal_id=row.id,
                    draft=LoiDraft(Money.parse(f"{1 + n % 4}억"), date(2026, 5, 1 + n % 5)),
                )
            if n % 4:
                followups.add_follow_up(
                    s,
                    actor=STAFF,
                    deal_id=row.id,
                    draft=FollowUpDraft(due_on=date(2026, 12, 1) + timedelta(n % 6)),
                )
    return made


@pytest.mark.parametrize("descending", [False, True])
def test_pages_show_every_deal_once_while_deals_are_added(engine: Engine, descending: bool) -> None:
    original = set(_populate(engine, 6, 4))
    for round_, sort in enumerate(SORTS):
        seen: list[int] = []
        after = None
        pages = 0
        while True:
            with read_only(engine) as s:
                page = list_deals(s, actor=STAFF, sort=sort, descending=descending, after=after, limit=5)  # type: ignore[arg-type]
            seen += [r.id for r in page.rows]
            pages += 1
            if pages == 2:  # newcomers arrive between pages
                _populate(engine, 1, 2, start=100 + 10 * round_ + (5 if descending else 0))
            after = page.next_after
            if after is None:
                break
        assert len(seen) == len(set(seen)), f"{sort}: a deal shown twice"
        assert original <= set(seen), f"{sort}: deals skipped: {sorted(original - set(seen))}"


def test_pages_follow_the_sort_order(engine: Engine) -> None:
    _populate(engine, 5, 3)
    for sort, descending in itertools.product(SORTS, (False, True)):
        with read_only(engine) as s:
            everything = list_deals(s, actor=STAFF, sort=sort, descending=descending, limit=1000).rows  # type: ignore[arg-type]
            paged, after = [], None
            while True:
                page = list_deals(s, actor=STAFF, sort=sort, descending=descending, after=after, limit=4)  # type: ignore[arg-type]
                paged += page.rows
                if (after := page.next_after) is None:
                    break
        assert [r.id for r in paged] == [r.id for r in everything], (sort, descending)
        if sort == "last_loi":  # deals without an LOI come last in both directions
            empty = [r.last_loi is None for r in paged]
            assert empty == sorted(empty)


def test_counts_come_from_the_totals_or_are_capped(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _populate(engine, 4, 3)
    with read_only(engine) as s:
        assert deal_count(s, actor=STAFF) == (12, True)
        assert deal_count(s, actor=STAFF, flt=DealFilter(stage=Stage.LOI))[0] == sum(
            1 for r in list_deals(s, actor=STAFF, limit=100).rows if r.stage is Stage.LOI
        )
        # a search of the whole pipeline is counted from the named companies' totals
        page = list_deals(s, actor=STAFF, flt=DealFilter(search="fund"), limit=3)
        assert (page.total, page.total_exact, page.total_label) == (12, True, "12")
        # a search within one startup's deals is not in the totals: counted, up to the cap
        first = page.rows[0].startup_id
        monkeypatch.setattr(deal_queries, "COUNT_CAP", 2)
        page = list_deals(s, actor=STAFF, flt=DealFilter(search="fund", startup_id=first), limit=3)
        assert (page.total, page.total_exact, page.total_label) == (2, False, "2+")


@pytest.mark.parametrize(
    "cursor", ["", "garbage", "W10", "WzAsIngiLDFd", "eyJhIjoxfQ", "WzY0LDEsMV0", "WzAsdHJ1ZSwxXQ"]
)
def test_a_forged_cursor_is_refused_in_words(engine: Engine, cursor: str) -> None:
    with read_only(engine) as s:
        if not cursor:
            assert list_deals(s, actor=STAFF, after=cursor).rows == []
            return
        with pytest.raises(Invalid, match="cursor"):
            list_deals(s, actor=STAFF, after=cursor)


@pytest.mark.parametrize("include_closed", [False, True])
def test_follow_up_pages_show_each_once_while_more_are_added(engine: Engine, include_closed: bool) -> None:
    from ir_pipeline.queries.followups import follow_up_queue

    made = _populate(engine, 4, 3)
    with unit_of_work(engine) as s:  # some closed, so the queue has its second run
        for deal_id in made[:4]:
            item = followups.add_follow_up(
                s, actor=STAFF, deal_id=deal_id, draft=FollowUpDraft(due_on=date(2026, 12, 1))
            )
            followups.complete_follow_up(s, actor=STAFF, follow_up_id=item.id)
    today = date(2026, 12, 3)
    with read_only(engine) as s:
        everything = follow_up_queue(
            s, actor=STAFF, today=today, include_closed=include_closed, limit=1000
        ).items
    seen: list[int] = []
    after = None
    while True:
        with read_only(engine) as s:
            page = follow_up_queue(
                s, actor=STAFF, today=today, include_closed=include_closed, after=after, limit=3
            )
        seen += [f.id for f in page.items]
        if len(seen) == 3:
            _populate(engine, 1, 1, start=200)
        if (after := page.next_after) is None:
            break
    assert len(seen) == len(set(seen))
    assert {f.id for f in everything} <= set(seen)
    assert [i for i in seen if i in {f.id for f in everything}] == [f.id for f in everything]  # same order


def _walk(engine: Engine, flt: DealFilter, sort: str, descending: bool, limit: int = 4) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        with read_only(engine) as s:
            page = list_deals(
                s, actor=STAFF, flt=flt, sort=sort, descending=descending, after=after, limit=limit
            )  # type: ignore[arg-type]
        seen += [r.id for r in page.rows]
        if (after := page.next_after) is None:
            return seen


@pytest.mark.parametrize("plan", ["few", "many", "too many names"])
def test_a_search_pages_alike_whichever_way_its_deals_are_read(
    engine: Engine, plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search reads its deals through the companies' indexes when they are few, along the sort's
    index when they are many, and through a subquery when too many companies match to list: the
    pages, their order and the counts are the same every way."""
    from ir_pipeline.queries import name_search

    _populate(engine, 6, 4)
    with unit_of_work(engine) as s:  # a name on both sides: its deals must be counted once
        both = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Fund Works")).id
        other = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name="Angels")).id
        deals.open_deal(s, actor=STAFF, startup_id=both, investor_id=other, stage=Stage.LOI)
    flt = DealFilter(search="fund 1")  # the investors "Fund 1 …", and no startup but one
    expected: dict[tuple[str, bool], list[int]] = {}
    with read_only(engine) as s:
        for sort, descending in itertools.product(SORTS, (False, True)):
            rows = list_deals(s, actor=STAFF, sort=sort, descending=descending, limit=1000).rows  # type: ignore[arg-type]
            named = [r.id for r in rows if "fund1" in r.investor.lower().replace(" ", "")]
            expected[sort, descending] = named + [
                r.id for r in rows if "fund1" in r.startup.lower().replace(" ", "") and r.id not in named
            ]
    if plan == "many":
        monkeypatch.setattr(name_search, "many", lambda named, page: True)
    elif plan == "too many names":
        monkeypatch.setattr(name_search, "MAX_IDS", 0)
    else:
        monkeypatch.setattr(name_search, "many", lambda named, page: False)
    for (sort, descending), ids in expected.items():
        with read_only(engine) as s:
            everything = list_deals(s, actor=STAFF, flt=flt, sort=sort, descending=descending, limit=1000)  # type: ignore[arg-type]
        assert sorted(r.id for r in everything.rows) == sorted(ids), (sort, descending)
        assert _walk(engine, flt, sort, descending) == [r.id for r in everything.rows], (sort, descending)
        assert (everything.total, everything.total_exact) == (len(ids), True)
    if plan == "too many names":  # more companies than listed: at least the first one's deals
        monkeypatch.setattr(name_search, "COUNT_CAP", 1)
        with read_only(engine) as s:
            page = list_deals(s, actor=STAFF, flt=flt)
        assert not page.total_exact and 1 < page.total <= len(page.rows)
        assert page.total_label == f"{page.total}+"


def test_search_counts_name_both_sides_once(engine: Engine) -> None:
    """A deal whose startup and investor both match is one deal in the count, at every stage."""
    with unit_of_work(engine) as s:
        a = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Solar Bridge")).id
        b = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Wind Farm")).id
        x = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name="Solar Capital")).id
        y = records.create_investor(s, actor=STAFF, draft=InvestorDraft(name="Blue Fund")).id
        for startup, investor, stage in (
            (a, x, Stage.LOI),
            (a, y, Stage.LOI),
            (b, x, Stage.PITCHED),
            (b, y, Stage.LOI),
        ):
            deals.open_deal(s, actor=STAFF, startup_id=startup, investor_id=investor, stage=stage)
    with read_only(engine) as s:
        assert deal_count(s, actor=STAFF, flt=DealFilter(search="solar")) == (3, True)
        assert deal_count(s, actor=STAFF, flt=DealFilter(search="solar", stage=Stage.LOI)) == (2, True)
        assert deal_count(s, actor=STAFF, flt=DealFilter(search="wind")) == (2, True)
        assert deal_count(s, actor=STAFF, flt=DealFilter(search="nothing")) == (0, True)
        page = list_deals(s, actor=STAFF, flt=DealFilter(search="solar"))
        assert len(page.rows) == 3 == page.total


@pytest.mark.parametrize("descending", [False, True])
def test_sorts_by_a_name_read_in_windows_miss_nothing(
    engine: Engine, descending: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sort by startup or investor name is read a window of names at a time, widened when a
    filter leaves a window short: with windows of one name, pages still hold every deal once, in
    order, with and without a stage filter."""
    from ir_pipeline.queries import keyset

    _populate(engine, 6, 4)
    monkeypatch.setattr(keyset, "WINDOW", 1)
    for sort, flt in itertools.product(("startup", "investor"), (DealFilter(), DealFilter(stage=Stage.LOI))):
        with read_only(engine) as s:
            every = list_deals(s, actor=STAFF, flt=flt, sort="id", limit=1000).rows
        expected = sorted(every, key=lambda r: (getattr(r, sort), r.id), reverse=descending)
        assert _walk(engine, flt, sort, descending, limit=3) == [r.id for r in expected], (sort, flt)
