"""Mixed-currency funnels: exact per-currency sums, and one converted total that is the sum of
each record's own conversion (rounded once, half to even), missing rates listed, never zeroed,
and snapshots that fill once and change only on purpose."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.drafts import EventDraft, FundingDraft, InvestorDraft, LoiDraft, StartupDraft
from ir_pipeline.fx import service as fx
from ir_pipeline.models import AuditEntry, LetterOfIntent
from ir_pipeline.money import Money
from ir_pipeline.queries import converted
from ir_pipeline.queries.funnel import FunnelFilter, funnel, funnel_from_rows
from ir_pipeline.services import deals, fundings, lois, records
from ir_pipeline.stages import Stage
from ir_pipeline.summaries import check
from tests.conftest import MANAGER, STAFF

D = date(2018, 9, 19)
#: (startup, investor, amount, received): KRW, USD, EUR and JPY, and a cent that rounds
LOIS = [
    (0, 0, "3억", D),
    (0, 1, "$2,000,000.00", D),
    (1, 0, "EUR 1,234.57", date(2018, 9, 20)),  # no EUR rate of its own day: the 19th's
    (1, 1, "JPY 5,000,000", date(2018, 9, 21)),
    (0, 1, "$0.01", D),  # 11.228 won: rounds to 11
    (1, 0, "$3.50", date(2018, 9, 17)),  # before any USD rate: missing
]
RATES = [("USD", "1122.4", date(2018, 9, 18)), ("USD", "1122.8", D), ("EUR", "1311.2", D)]


def build(engine: Engine) -> int:
    with unit_of_work(engine) as s:
        event = records.create_event(s, actor=STAFF, draft=EventDraft(name="WSCW 2018", starts_on=D))
        startups = [
            records.create_startup(s, actor=STAFF, draft=StartupDraft(name=n)).id for n in ("Alpha", "Beta")
        ]
        investors = [
            records.create_investor(s, actor=STAFF, draft=InvestorDraft(name=n)).id for n in ("Han", "Kim")
        ]
        for currency, rate, day in RATES:
            fx.set_rate(s, actor=STAFF, currency=currency, rate=Decimal(rate), day=day)
        opened: dict[tuple[int, int], int] = {}
        for si, ii, amount, received in LOIS:
            pair = (startups[si], investors[ii])
            if pair not in opened:
                opened[pair] = deals.open_deal(
                    s,
                    actor=STAFF,
                    startup_id=pair[0],
                    investor_id=pair[1],
                    event_id=event.id,
                    stage=Stage.PITCHED,
                ).id
            lois.add_loi(s, actor=STAFF, deal_id=opened[pair], draft=LoiDraft(Money.parse(amount), received))
        funded = opened[(startups[0], investors[1])]
        for stage in (Stage.DILIGENCE, Stage.TERM_SHEET):
            deals.move_stage(s, actor=STAFF, deal_id=funded, to=stage)
        fundings.record_funding(
            s,
            actor=STAFF,
            deal_id=funded,
            draft=FundingDraft(Money.parse("$1,000,000.00"), date(2018, 12, 3)),
        )
        return event.id


def own(amount: str, rate: str) -> int:
    """One record's conversion, computed here independently: exact, then half to even."""
    money = Money.parse(amount)
    return round(Fraction(money.amount) * Fraction(Decimal(rate)))


def test_converted_total_is_the_sum_of_each_records_own_conversion(engine: Engine) -> None:
    event = build(engine)
    with read_only(engine) as s:
        result = funnel(s, actor=MANAGER)
    lois_ = result.lois
    assert {c: lois_.total[c].amount for c in lois_.total} == {
        "EUR": Decimal("1234.57"),
        "JPY": Decimal("5000000"),
        "KRW": Decimal("300000000"),
        "USD": Decimal("2000003.51"),
    }
    conv = lois_.converted
    assert conv is not None and conv.currency == "KRW"
    expected = (
        300_000_000 + own("$2,000,000.00", "1122.8") + own("EUR 1,234.57", "1311.2") + own("$0.01", "1122.8")
    )
    assert own("$0.01", "1122.8") == 11
    assert conv.amount == Money(expected, "KRW")
    # the yen (no rate at all) and the $3.50 of the 17th (no rate that early) are listed, not zeroed
    assert {c: (m.amount if m else None, n) for c, (m, n) in conv.missing.items()} == {
        "JPY": (Decimal("5000000"), 1),
        "USD": (Decimal("3.50"), 1),
    }
    assert "excluding" in conv.excluding() and "¥5,000,000" in conv.excluding()
    assert [(r.currency, r.rates, r.low) for r in conv.rates] == [
        ("EUR", 1, Decimal("1311.2")),
        ("USD", 1, Decimal("1122.8")),
    ]
    # the stages add up to the total, and the funded money is converted too
    assert sum(s.converted.amount.minor for s in result.stages if s.converted) == expected
    assert result.funded.converted is not None
    assert result.funded.converted.amount == Money(own("$1,000,000.00", "1122.8"), "KRW")
    # the event's funnel (read from the running totals) and the rows agree, cell for cell
    with read_only(engine) as s:
        flt = FunnelFilter(event_id=event)
        from_cells = funnel(s, actor=MANAGER, flt=flt)
        from_rows = converted.attach(s, funnel_from_rows(s, actor=MANAGER, flt=flt), actor=MANAGER, flt=flt)
    assert from_cells.lois.converted == from_rows.lois.converted
    assert [x.converted for x in from_cells.stages] == [x.converted for x in from_rows.stages]
    assert from_cells.funded.converted == from_rows.funded.converted
    assert from_cells.by_startup == from_rows.by_startup


def test_a_rate_arriving_later_fills_the_snapshot_once(engine: Engine) -> None:
    build(engine)
    with unit_of_work(engine) as s:
        report = fx.set_rate(s, actor=STAFF, currency="JPY", rate=Decimal("10.0081"), day=date(2018, 9, 21))
    assert report.filled == 1
    with read_only(engine) as s:
        conv = funnel(s, actor=MANAGER).lois.converted
    assert conv is not None and "JPY" not in conv.missing
    jpy = own("JPY 5,000,000", "10.0081")
    # a new value for that day does not move the snapshot already taken: it is counted as stale
    with unit_of_work(engine) as s:
        report = fx.set_rate(s, actor=STAFF, currency="JPY", rate=Decimal("11"), day=date(2018, 9, 21))
    assert report.filled == 0 and report.changed == 1 and report.stale == 1
    with read_only(engine) as s:
        after = funnel(s, actor=MANAGER).lois.converted
        snap = s.execute(
            sa.select(LetterOfIntent.converted_minor, LetterOfIntent.fx_rate).where(
                LetterOfIntent.currency == "JPY"
            )
        ).one()
    assert after == conv and snap == (jpy, Decimal("10.0081"))
    # on purpose: re-taken, and the audit trail shows from what to what
    with unit_of_work(engine) as s:
        redo = fx.resnapshot(s, actor=STAFF, since=date(2018, 9, 21))
    assert redo.changed == 1
    with read_only(engine) as s:
        trail = s.execute(
            sa.select(AuditEntry.old_value, AuditEntry.new_value).where(AuditEntry.batch_id == redo.batch_id)
        ).all()
        assert funnel(s, actor=MANAGER).lois.converted.amount.minor == conv.amount.minor - jpy + 55_000_000
    assert len(trail) == 1 and "10.0081" in trail[0][0] and trail[0][1].startswith("11 KRW")
    with engine.connect() as connection:
        assert check.check(connection) == []  # the running totals followed every snapshot write


def test_an_edit_keeps_the_rate_and_a_new_day_retakes_it(engine: Engine) -> None:
    build(engine)
    with read_only(engine) as s:
        loi = s.execute(
            sa.select(LetterOfIntent).where(LetterOfIntent.amount_minor == 200_000_000)
        ).scalar_one()
    with unit_of_work(engine) as s:
        fx.set_rate(s, actor=STAFF, currency="USD", rate=Decimal("1500"), day=D)  # the day's rate changes
        lois.update_loi(s, actor=STAFF, loi_id=loi.id, draft=LoiDraft(Money.parse("$3,000,000.00"), D))
    with read_only(engine) as s:
        kept = s.get(LetterOfIntent, loi.id)
        assert kept is not None and kept.fx_rate == Decimal("1122.8")  # a corrected amount keeps its rate
        assert kept.converted_minor == own("$3,000,000.00", "1122.8")
    with unit_of_work(engine) as s:
        lois.update_loi(
            s, actor=STAFF, loi_id=loi.id, draft=LoiDraft(Money.parse("$3,000,000.00"), date(2018, 9, 20))
        )
    with read_only(engine) as s:
        moved = s.get(LetterOfIntent, loi.id)
        assert moved is not None and (moved.fx_rate, moved.fx_day) == (Decimal("1500"), D)
    with engine.connect() as connection:
        assert check.check(connection) == []


def test_another_base_converts_each_record_from_its_days_rates(engine: Engine) -> None:
    build(engine)
    with read_only(engine) as s:
        usd = funnel(s, actor=MANAGER, base="USD").lois.converted
    assert usd is not None and usd.currency == "USD"

    def to_usd(amount: str, krw_rate: str | None) -> int:
        money = Money.parse(amount)
        if money.currency == "USD":
            return money.minor
        factor = Fraction(1) if krw_rate is None else Fraction(Decimal(krw_rate))
        return round(Fraction(money.amount) * factor / Fraction(Decimal("1122.8")) * 100)

    expected = to_usd("3억", None) + 200_000_000 + to_usd("EUR 1,234.57", "1311.2") + 1 + 350
    assert usd.amount.minor == expected
    # the yen has no rate to go through; dollars need none, even the early $3.50
    assert set(usd.missing) == {"JPY"}
    # the stored rates it went through, each named as the pair it is
    assert [r.label() for r in usd.rates] == [
        "EUR/KRW 1,311.2 (2018-09-19, manual)",
        "USD/KRW 1,122.8 (2018-09-19, manual)",
    ]


def test_the_demo_in_dollars_follows_the_stated_rounding_rule(sqlite_url: str) -> None:
    """The README's figure: 26 won LOIs at 1,120 won per dollar, each rounded to the cent."""
    import json

    from tests.test_cli import irp

    assert irp("demo", db=sqlite_url)[0] == 0
    code, out, err = irp("funnel", "--json", "--base", "USD", db=sqlite_url)
    assert code == 0, err
    usd = json.loads(out)["lois"]["converted"]
    assert usd["amount"] == "15312499.97" and usd["missing"] == []
    assert usd["rates"] == [
        {
            "currency": "USD",
            "to": "KRW",
            "rates": 1,
            "from_day": "2018-09-17",
            "to_day": "2018-09-17",
            "sources": ["demo figures"],
            "rate": "1120",
            "via": "KRW",
        }
    ]


def test_amounts_and_rates_are_written_in_the_display_locale(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli import irp

    assert irp("demo", db=sqlite_url)[0] == 0
    assert irp("fx", "set", "USD", "1380.25", "--date", "2018-09-19", db=sqlite_url)[0] == 0
    monkeypatch.setenv("IRP_LOCALE", "de_DE")
    code, out, _ = irp("funnel", "--base", "USD", db=sqlite_url)
    assert code == 0 and "1.380,25" in out and "$" in out and "15.312.499,97" not in out
    monkeypatch.setenv("IRP_LOCALE", "xx_YY")
    code, _out, err = irp("funnel", db=sqlite_url)
    assert code == 1 and "IRP_LOCALE" in err and err.count("\n") == 1


def test_the_loi_list_shows_each_loi_in_the_base_currency(sqlite_url: str) -> None:
    import json

    from tests.test_cli import irp

    assert irp("demo", db=sqlite_url)[0] == 0
    assert irp("investor", "add", "Pacific Bridge", db=sqlite_url)[0] == 0
    code, _out, err = irp(
        "loi", "add", "--startup", "AirSense", "--investor", "Pacific Bridge", "--amount", "$2M",
        "--received", "2018-09-19", db=sqlite_url,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = irp("loi", "list", "--startup", "AirSense", db=sqlite_url)
    # the demo's dollar rate of the 17th, the nearest earlier: $2M × 1,120
    assert "≈ KRW" in out and "₩2,240,000,000" in out
    code, out, _ = irp("loi", "list", "--investor", "Pacific Bridge", "--json", db=sqlite_url)
    loi = json.loads(out)["lois"][0]
    assert (loi["converted"], loi["fx_rate"], loi["fx_day"], loi["fx_source"]) == (
        {"amount": "2240000000", "currency": "KRW"},
        "1120",
        "2018-09-17",
        "demo figures",
    )
