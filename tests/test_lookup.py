"""Finding records by the names people type."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import StartupDraft
from ir_pipeline.errors import Ambiguous, NotFound
from ir_pipeline.lookup import resolve_startup
from ir_pipeline.services import records
from tests.conftest import STAFF


@pytest.fixture
def named(engine: Engine) -> Engine:
    with unit_of_work(engine) as s:
        for name, no in (
            ("(주)그린그리드", "101-81-00001"),
            ("GreenGrid Solar Inc.", None),
            ("AirSense", None),
        ):
            records.create_startup(s, actor=STAFF, draft=StartupDraft(name=name, business_no=no))
    return engine


@pytest.mark.parametrize("text", ["그린그리드", "주식회사 그린그리드", "㈜그린그리드", "1018100001", "#1"])
def test_exact_key_number_or_id(named: Engine, text: str) -> None:
    with read_only(named) as s:
        assert resolve_startup(s, text, actor=STAFF).name == "(주)그린그리드"


def test_unique_partial_match(named: Engine) -> None:
    with read_only(named) as s:
        assert resolve_startup(s, "solar", actor=STAFF).name == "GreenGrid Solar Inc."


def test_ambiguous_lists_candidates(named: Engine) -> None:
    with (
        read_only(named) as s,
        pytest.raises(Ambiguous, match=r"matches several: AirSense, GreenGrid Solar Inc\."),
    ):
        resolve_startup(s, "s", actor=STAFF)


def test_unknown_suggests_close_names(named: Engine) -> None:
    with read_only(named) as s, pytest.raises(NotFound, match="did you mean AirSense"):
        resolve_startup(s, "AirSence", actor=STAFF)
