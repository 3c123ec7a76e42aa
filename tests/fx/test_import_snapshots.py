"""An import takes each LOI's snapshot by the same rule as the services, and the running totals
count it: a file of dollars and won gives the converted total of the same LOIs typed one by one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.fx import service as fx
from ir_pipeline.io.importer import import_file
from ir_pipeline.models import LetterOfIntent
from ir_pipeline.queries.funnel import funnel
from ir_pipeline.summaries import check
from tests.conftest import MANAGER, STAFF

STARTUPS = "name,sector\nAlpha,energy\nBeta,water\n"
INVESTORS = "name,kind\nHan,vc\nKim,angel\n"
LOIS = (
    "startup,investor,amount,currency,received_on\n"
    "Alpha,Han,3억,KRW,2018-09-19\n"
    'Alpha,Kim,"$1,250,000.25",,2018-09-20\n'  # the 19th's rate: the nearest earlier
    "Beta,Han,$10.01,,2018-09-18\n"  # before any rate: no snapshot yet
    'Beta,Kim,"EUR 80,000",,2018-09-21\n'
)


def test_imported_lois_take_their_snapshot_and_the_totals_count_it(engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(engine) as s:
        fx.set_rate(s, actor=STAFF, currency="USD", rate=Decimal("1122.8"), day=date(2018, 9, 19))
        fx.set_rate(s, actor=STAFF, currency="EUR", rate=Decimal("1311.2"), day=date(2018, 9, 21))
    for kind, text in (("startups", STARTUPS), ("investors", INVESTORS), ("lois", LOIS)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        with unit_of_work(engine) as s:
            import_file(s, actor=STAFF, kind=kind, path=path)
    with read_only(engine) as s:
        snaps = {
            (c, a): (b, r, d, conv)
            for c, a, b, r, d, conv in s.execute(
                sa.select(
                    LetterOfIntent.currency,
                    LetterOfIntent.amount_minor,
                    LetterOfIntent.fx_base,
                    LetterOfIntent.fx_rate,
                    LetterOfIntent.fx_day,
                    LetterOfIntent.converted_minor,
                )
            ).all()
        }
        conv = funnel(s, actor=MANAGER).lois.converted
    assert snaps == {
        ("KRW", 300_000_000): ("KRW", Decimal(1), date(2018, 9, 19), 300_000_000),
        ("USD", 125_000_025): ("KRW", Decimal("1122.8"), date(2018, 9, 19), 1_403_500_281),  # 280.70 → 281
        ("USD", 1001): (None, None, None, None),
        ("EUR", 8_000_000): ("KRW", Decimal("1311.2"), date(2018, 9, 21), 104_896_000),
    }
    assert conv is not None and conv.amount.minor == 300_000_000 + 1_403_500_281 + 104_896_000
    assert {c: n for c, (_, n) in conv.missing.items()} == {"USD": 1}
    with engine.connect() as connection:
        assert check.check(connection) == []
    # the rate of the 18th arrives: the early LOI is filled, once, and the totals follow
    with unit_of_work(engine) as s:
        assert (
            fx.set_rate(s, actor=STAFF, currency="USD", rate=Decimal("1120"), day=date(2018, 9, 18)).filled
            == 1
        )
    with read_only(engine) as s:
        assert funnel(s, actor=MANAGER).lois.converted.complete  # type: ignore[union-attr]
    with engine.connect() as connection:
        assert check.check(connection) == []
