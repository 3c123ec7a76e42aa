"""The demo data set: the IR session of World Smart City Week 2018 (Goyang, 18–20 Sept 2018).

The published figures are reproduced exactly: **26 LOIs for 8 companies, ₩17,150,000,000
(171억 5천만 원)**. Every startup and investor name is fictional and carries ``(demo)``; the rows
are also flagged ``is_demo``. The pipeline history after the event is invented but plausible.
Follow-ups are dated relative to the day the demo is loaded, so some are always overdue.

Everything is written through the services, in the caller's single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from ir_pipeline import audit
from ir_pipeline.actors import Actor
from ir_pipeline.config import base_currency
from ir_pipeline.drafts import (
    EventDraft,
    FollowUpDraft,
    FundingDraft,
    InvestorDraft,
    LoiDraft,
    StartupDraft,
)
from ir_pipeline.enums import Channel, Instrument, InvestorKind, LoiStatus, Role
from ir_pipeline.fx import service as fx
from ir_pipeline.fx.rates import check_rate
from ir_pipeline.models import AuditAction, AuditEntry, LetterOfIntent
from ir_pipeline.money import Money
from ir_pipeline.naming import business_no_check_digit
from ir_pipeline.services import deals, followups, fundings, lois, records, users
from ir_pipeline.stages import Stage

EVENT_NAME = "WSCW 2018 IR Session"
EXPECTED_LOI_COUNT = 26
EXPECTED_STARTUPS = 8
EXPECTED_TOTAL_KRW = 17_150_000_000

EOK = 100_000_000  # 억
CHEONMAN = 10_000_000  # 천만

STARTUPS: list[tuple[str, str, str]] = [
    ("GreenGrid (demo)", "smart energy", "Microgrid controllers for apartment complexes"),
    ("Mobility Lab (demo)", "autonomous mobility", "Low-speed autonomous shuttles for new towns"),
    ("AirSense (demo)", "environment IoT", "Street-level fine-dust sensor network"),
    ("WaterLoop (demo)", "smart water", "Leak detection for municipal water mains"),
    ("ParkMate (demo)", "smart parking", "Shared-parking marketplace with camera occupancy"),
    ("CityTwin (demo)", "digital twin", "3D digital twins for urban planning"),
    ("SafeWalk (demo)", "public safety AI", "AI crosswalk cameras that warn drivers"),
    ("WindCell (demo)", "renewables", "Rooftop micro wind turbines"),
]

INVESTORS: list[tuple[str, InvestorKind, str]] = [
    ("Hanbit Ventures (demo)", InvestorKind.VC, "KR"),
    ("Blue Harbor Capital (demo)", InvestorKind.VC, "KR"),
    ("Seoul Smart City Fund (demo)", InvestorKind.VC, "KR"),
    ("K-City Partners (demo)", InvestorKind.PE, "KR"),
    ("Daehan Tech Investment (demo)", InvestorKind.VC, "KR"),
    ("Gyeonggi Growth Angels (demo)", InvestorKind.ANGEL, "KR"),
    ("Urban Mobility CVC (demo)", InvestorKind.CVC, "KR"),
    ("Han River Accelerator (demo)", InvestorKind.ACCELERATOR, "KR"),
    ("Mirae Green Bank (demo)", InvestorKind.BANK, "KR"),
    ("Pacific Bridge Ventures (demo)", InvestorKind.VC, "SG"),
    ("Nordic Smart Cities Fund (demo)", InvestorKind.VC, "NL"),
    ("Dongbang Corporate Ventures (demo)", InvestorKind.CVC, "KR"),
]

#: (startup index, investor index, amount in won, instrument, received day of Sept 2018)
LOIS: list[tuple[int, int, int, Instrument, int]] = [
    (0, 0, 10 * EOK, Instrument.RCPS, 19),
    (0, 1, 5 * EOK, Instrument.RCPS, 19),
    (0, 5, 3 * EOK, Instrument.COMMON, 20),
    (0, 7, 2 * EOK, Instrument.SAFE, 20),
    (0, 8, 1 * EOK, Instrument.LOAN, 20),
    (1, 6, 20 * EOK, Instrument.RCPS, 18),
    (1, 3, 10 * EOK, Instrument.PREFERRED, 19),
    (1, 2, 5 * EOK, Instrument.RCPS, 19),
    (1, 9, 5 * EOK, Instrument.CONVERTIBLE_NOTE, 20),
    (2, 2, 15 * EOK, Instrument.RCPS, 19),
    (2, 4, 5 * EOK, Instrument.RCPS, 19),
    (2, 10, 3 * EOK, Instrument.CONVERTIBLE_NOTE, 20),
    (2, 5, 2 * EOK, Instrument.COMMON, 20),
    (3, 8, 10 * EOK, Instrument.LOAN, 18),
    (3, 4, 5 * EOK, Instrument.RCPS, 19),
    (3, 7, 5 * CHEONMAN, Instrument.SAFE, 20),
    (4, 3, 20 * EOK, Instrument.PREFERRED, 18),
    (4, 11, 10 * EOK, Instrument.RCPS, 19),
    (4, 0, 5 * EOK, Instrument.RCPS, 19),
    (5, 1, 5 * EOK, Instrument.RCPS, 19),
    (5, 10, 3 * EOK, Instrument.CONVERTIBLE_NOTE, 20),
    (5, 7, 2 * EOK, Instrument.SAFE, 20),
    (6, 11, 15 * EOK, Instrument.RCPS, 19),
    (6, 2, 5 * EOK, Instrument.RCPS, 20),
    (7, 9, 3 * EOK, Instrument.CONVERTIBLE_NOTE, 19),
    (7, 5, 2 * EOK, Instrument.COMMON, 20),
]

#: Deals from the event that have not (yet) produced an LOI: (startup, investor, stage).
OPEN_INTEREST: list[tuple[int, int, Stage]] = [
    (0, 10, Stage.PITCHED),
    (2, 0, Stage.PITCHED),
    (3, 1, Stage.PITCHED),
    (5, 3, Stage.PITCHED),
    (6, 4, Stage.SOURCED),
    (7, 11, Stage.SOURCED),
]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    event: str
    startups: int
    investors: int
    lois: int
    total: Money
    users: list[str]


def _kst(day: date, hour: int = 10) -> datetime:
    """A moment in Korea (UTC+9), stored as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=9)


def _business_no(i: int) -> str:
    digits = [int(c) for c in f"1018{i + 1:05d}"]
    return (
        f"{''.join(map(str, digits[:3]))}-{''.join(map(str, digits[3:5]))}-"
        + "".join(map(str, digits[5:]))
        + str(business_no_check_digit(digits))
    )


def reset_database(session: Session, *, actor: Actor) -> None:
    """Erase every row (for ``irp demo --force``), children before parents, in this transaction.

    The audit trail is kept, and says who erased how many rows of which table.
    """
    actor.require_staff("erase the database")
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name == AuditEntry.__tablename__:
            continue
        erased = session.execute(sa.delete(table)).rowcount  # type: ignore[attr-defined]
        if erased:
            audit.record_bulk(
                session.connection(),
                actor=actor.name,
                action=AuditAction.ERASE,
                table_name=table.name,
                note=f"{erased} rows erased to load the demo",
            )


#: Exchange rates for trying converted totals (``irp --demo funnel --base USD``): won per unit
#: near the session's days, rounded and marked as demo figures, not a published fixing.
DEMO_RATES = (
    ("USD", "1120", date(2018, 9, 17)),
    ("EUR", "1310", date(2018, 9, 17)),
    ("JPY", "10", date(2018, 9, 17)),
    ("USD", "1110", date(2019, 2, 18)),
    ("EUR", "1260", date(2019, 2, 18)),
    ("JPY", "10.05", date(2019, 2, 18)),
)
DEMO_RATE_SOURCE = "demo figures"


def load_demo(session: Session, *, today: date) -> DemoSummary:
    """Write the demo set in the caller's transaction and return what was loaded."""
    staff = Actor(name="staff", role=Role.STAFF)
    if base_currency() == "KRW":  # demo rates are won rates
        fx.store_rates(
            session,
            actor=staff,
            rates=[check_rate(c, "KRW", day, Decimal(r), DEMO_RATE_SOURCE) for c, r, day in DEMO_RATES],
        )
    event = records.create_event(
        session,
        actor=staff,
        draft=EventDraft(
            name=EVENT_NAME,
            starts_on=date(2018, 9, 18),
            ends_on=date(2018, 9, 20),
            venue="KINTEX, Goyang",
            organiser="World Smart City Week 2018 (제2회 월드 스마트시티 위크)",
        ),
    )
    startup_ids: list[int] = []
    for i, (name, sector, description) in enumerate(STARTUPS):
        view = records.create_startup(
            session,
            actor=staff,
            draft=StartupDraft(
                name=name, sector=sector, description=description, business_no=_business_no(i), is_demo=True
            ),
        )
        startup_ids.append(view.id)
        records.record_pitch(session, actor=staff, event_id=event.id, startup_id=view.id, notes="demo pitch")
    investor_ids = [
        records.create_investor(
            session, actor=staff, draft=InvestorDraft(name=name, kind=kind, country=country, is_demo=True)
        ).id
        for name, kind, country in INVESTORS
    ]

    opened = _kst(date(2018, 9, 18), 9)
    pitched = _kst(date(2018, 9, 18), 15)
    deal_of: dict[int, int] = {}
    for n, (s, inv, amount, instrument, day) in enumerate(LOIS):
        row = deals.open_deal(
            session,
            actor=staff,
            startup_id=startup_ids[s],
            investor_id=investor_ids[inv],
            event_id=event.id,
            owner="staff",
            at=opened,
        )
        deals.move_stage(
            session, actor=staff, deal_id=row.id, to=Stage.PITCHED, reason="IR session", at=pitched
        )
        received = date(2018, 9, day)
        lois.add_loi(
            session,
            actor=staff,
            deal_id=row.id,
            draft=LoiDraft(
                amount=Money(Decimal(amount), "KRW"),
                received_on=received,
                instrument=instrument,
                valid_until=received + timedelta(days=180),
                conditions="Subject to due diligence and investment committee approval.",
            ),
            at=_kst(received, 17),
        )
        deal_of[n] = row.id
    for s, inv, stage in OPEN_INTEREST:
        row = deals.open_deal(
            session,
            actor=staff,
            startup_id=startup_ids[s],
            investor_id=investor_ids[inv],
            event_id=event.id,
            owner="staff",
            at=opened,
        )
        if stage is Stage.PITCHED:
            deals.move_stage(
                session, actor=staff, deal_id=row.id, to=Stage.PITCHED, reason="IR session", at=pitched
            )

    def move(n: int, to: Stage, day: date, reason: str = "") -> None:
        deals.move_stage(session, actor=staff, deal_id=deal_of[n], to=to, reason=reason, at=_kst(day))

    # Mobility Lab × Urban Mobility CVC: all the way to the bank.
    move(5, Stage.DILIGENCE, date(2018, 10, 15), "IC approved diligence")
    move(5, Stage.TERM_SHEET, date(2018, 12, 3), "term sheet signed")
    fundings.record_funding(
        session,
        actor=staff,
        deal_id=deal_of[5],
        draft=FundingDraft(
            amount=Money(Decimal(20 * EOK), "KRW"), closed_on=date(2019, 2, 20), instrument=Instrument.RCPS
        ),
        reason="Series A closed",
        at=_kst(date(2019, 2, 20)),
    )
    # ParkMate × K-City Partners: term sheet on the table.
    move(16, Stage.DILIGENCE, date(2018, 10, 22), "management meetings done")
    move(16, Stage.TERM_SHEET, date(2019, 1, 10), "valuation agreed")
    # Diligence under way.
    move(0, Stage.DILIGENCE, date(2018, 11, 5), "data room opened")
    move(9, Stage.DILIGENCE, date(2018, 11, 12), "technical review")
    move(22, Stage.DILIGENCE, date(2018, 11, 20), "pilot results requested")
    # Lost and on hold.
    move(15, Stage.LOST, date(2018, 10, 30), "accelerator batch full; no follow-on this year")
    move(25, Stage.LOST, date(2018, 11, 8), "valuation gap")
    move(21, Stage.ON_HOLD, date(2018, 12, 1), "startup restructuring; revisit next quarter")

    # Follow-ups around the day the demo is loaded.
    plan: list[tuple[int, int, Channel, str, str]] = [
        (0, -6, Channel.EMAIL, "Send updated financial model to Hanbit", "open"),
        (9, -3, Channel.MEETING, "Site visit at AirSense pilot district", "open"),
        (16, -1, Channel.CALL, "Chase K-City legal on term sheet mark-up", "open"),
        (22, 0, Channel.CALL, "Share SafeWalk pilot results", "open"),
        (1, 3, Channel.EMAIL, "Introduce GreenGrid CFO to Blue Harbor", "open"),
        (6, 7, Channel.MEETING, "Partner meeting at K-City Partners", "open"),
        (13, 14, Channel.CALL, "Loan terms with Mirae Green Bank", "open"),
        (17, 21, Channel.EMAIL, "Send ParkMate cap table to Dongbang", "open"),
        (10, -20, Channel.EMAIL, "Thank-you note after the IR session", "done"),
        (2, -15, Channel.CALL, "Angel round timing call", "done"),
        (12, -10, Channel.MEETING, "Demo day follow-up meeting", "done"),
        (18, -8, Channel.EMAIL, "Send ParkMate deck v2", "done"),
        (19, -4, Channel.EMAIL, "Ask about fund timing", "cancelled"),
    ]
    for n, offset, channel, note, status in plan:
        follow_up = followups.add_follow_up(
            session,
            actor=staff,
            deal_id=deal_of[n],
            draft=FollowUpDraft(
                due_on=today + timedelta(days=offset), owner="staff", channel=channel, note=note
            ),
            at=_kst(today + timedelta(days=min(offset, 0) - 7)),
        )
        closed_at = _kst(today + timedelta(days=offset), 16)
        if status == "done":
            followups.complete_follow_up(
                session, actor=staff, follow_up_id=follow_up.id, note="done", at=closed_at
            )
        elif status == "cancelled":
            followups.cancel_follow_up(
                session,
                actor=staff,
                follow_up_id=follow_up.id,
                reason="investor paused new deals",
                at=closed_at,
            )

    # The funded deal's LOI converted; the lost ones lapsed.
    for n, status in ((5, LoiStatus.CONVERTED), (15, LoiStatus.WITHDRAWN), (25, LoiStatus.EXPIRED)):
        loi_id = session.exec(
            select(LetterOfIntent.id)
            .where(LetterOfIntent.deal_id == deal_of[n])
            .order_by(col(LetterOfIntent.id))
        ).first()
        assert loi_id is not None
        lois.set_loi_status(session, actor=staff, loi_id=loi_id, status=status)

    names = ["staff", "manager"]
    users.create_user(session, actor=staff, name="staff", role=Role.STAFF, login=False)
    users.create_user(session, actor=staff, name="manager", role=Role.MANAGER, login=False)
    for (name, _, _), sid in zip(STARTUPS, startup_ids, strict=True):
        login = name.split(" (")[0].lower().replace(" ", "")
        users.create_user(session, actor=staff, name=login, role=Role.STARTUP, startup_id=sid, login=False)
        names.append(login)

    total = sum((amount for _, _, amount, _, _ in LOIS), 0)
    assert len(LOIS) == EXPECTED_LOI_COUNT and total == EXPECTED_TOTAL_KRW
    return DemoSummary(
        event=event.name,
        startups=len(startup_ids),
        investors=len(investor_ids),
        lois=len(LOIS),
        total=Money(Decimal(total), "KRW"),
        users=names,
    )
