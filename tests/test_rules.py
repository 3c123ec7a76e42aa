"""Pure rules: stage moves, dates, names, business numbers, choices."""

from __future__ import annotations

from datetime import date

import pytest

from ir_pipeline.dates import parse_date
from ir_pipeline.enums import Instrument, parse_choice
from ir_pipeline.errors import IllegalStageMove, Invalid
from ir_pipeline.naming import clean_name, name_key, normalise_business_no
from ir_pipeline.stages import ALLOWED_MOVES, FUNNEL, Stage, allowed_moves, check_move, parse_stage


def test_every_stage_has_a_rule_and_terminal_stages_have_no_way_out() -> None:
    assert set(ALLOWED_MOVES) == set(Stage)
    assert ALLOWED_MOVES[Stage.FUNDED] == frozenset()
    assert ALLOWED_MOVES[Stage.LOST] == frozenset()


def test_funded_is_reachable_only_from_term_sheet() -> None:
    assert [s for s in Stage if Stage.FUNDED in ALLOWED_MOVES[s]] == [Stage.TERM_SHEET]


def test_each_active_stage_can_be_lost_or_put_on_hold() -> None:
    for stage in FUNNEL[:-1]:
        assert {Stage.LOST, Stage.ON_HOLD} <= ALLOWED_MOVES[stage]


def test_illegal_move_names_the_legal_ones() -> None:
    with pytest.raises(IllegalStageMove, match=r"allowed from LOI: Diligence, Lost, On hold \(on_hold\)"):
        check_move(Stage.LOI, Stage.FUNDED)
    with pytest.raises(IllegalStageMove, match="already at"):
        check_move(Stage.LOI, Stage.LOI)
    with pytest.raises(IllegalStageMove, match="none: it is final"):
        check_move(Stage.LOST, Stage.SOURCED)
    check_move(Stage.SOURCED, Stage.LOI)  # an LOI may arrive without a recorded pitch


def test_allowed_moves_are_in_pipeline_order() -> None:
    assert allowed_moves(Stage.TERM_SHEET) == [Stage.DILIGENCE, Stage.FUNDED, Stage.LOST, Stage.ON_HOLD]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("term-sheet", Stage.TERM_SHEET),
        ("Term sheet", Stage.TERM_SHEET),
        ("실사", Stage.DILIGENCE),
        ("LOI", Stage.LOI),
        ("on hold", Stage.ON_HOLD),
        ("무산", Stage.LOST),
    ],
)
def test_stage_spellings(text: str, stage: Stage) -> None:
    assert parse_stage(text) is stage


def test_unknown_stage_lists_the_stages() -> None:
    with pytest.raises(Invalid, match="use one of sourced, pitched"):
        parse_stage("signed")


@pytest.mark.parametrize(
    "text", ["2018-09-19", "2018.09.19", "2018/9/19", "18.9.19", "2018.09.19.", "20180919", "2018년 9월 19일"]
)
def test_dates_in_the_usual_forms(text: str) -> None:
    assert parse_date(text) == date(2018, 9, 19)


def test_relative_dates() -> None:
    today = date(2026, 11, 25)
    assert parse_date("today", today=today) == today
    assert parse_date("tomorrow", today=today) == date(2026, 11, 26)
    assert parse_date("+3d", today=today) == date(2026, 11, 28)
    assert parse_date("+2w", today=today) == date(2026, 12, 9)


@pytest.mark.parametrize("text", ["2018-02-30", "next week", "19/09/2018", ""])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(Invalid):
        parse_date(text)


@pytest.mark.parametrize(
    "name", ["(주)그린그리드", "㈜ 그린그리드", "주식회사 그린그리드", "그린그리드 주식회사", " 그린 그리드 "]
)
def test_korean_legal_forms_do_not_change_the_name_key(name: str) -> None:
    assert name_key(name) == "그린그리드"


@pytest.mark.parametrize(
    "name", ["GreenGrid Inc.", "Ｇｒｅｅｎ Grid Co., Ltd.", "greengrid", "GREENGRID corp"]
)
def test_english_legal_forms_and_width_do_not_change_the_name_key(name: str) -> None:
    assert name_key(name) == "greengrid"


def test_clean_name_keeps_the_display_form() -> None:
    assert clean_name("  Ｇｒｅｅｎ   Grid  ") == "Green Grid"


def test_business_number_format_and_check_digit() -> None:
    assert normalise_business_no("1018100001") == normalise_business_no("101-81-00001")
    with pytest.raises(Invalid, match="check digit"):
        normalise_business_no("101-81-00002")
    with pytest.raises(Invalid, match="10 digits"):
        normalise_business_no("12-345")


def test_choices_accept_korean_words() -> None:
    assert parse_choice(Instrument, "상환전환우선주", what="instrument") is Instrument.RCPS
    assert parse_choice(Instrument, "CB", what="instrument") is Instrument.CONVERTIBLE_NOTE
    with pytest.raises(Invalid, match="use one of common"):
        parse_choice(Instrument, "tulips", what="instrument")
