"""The demo data set: the IR session of World Smart City Week 2018 (Goyang, 18–20 Sept 2018).

The published figures are reproduced exactly: **26 LOIs for 8 companies, ₩17,150,000,000
(171억 5천만 원)**. Every startup and investor name is fictional and carries ``(demo)``; the rows
are also flagged ``is_demo``. The pipeline history after the event is invented but plausible.

The demo is the programme as it stood on the day of the press release, :data:`AS_OF`
(2018-10-10), and the database keeps that date: irp treats it as today there, whenever the demo is
opened (:mod:`ir_pipeline.services.database_date`). So its story holds in time: deals moved days
to weeks ago, follow-ups fall due around that day (a few overdue), every LOI is still valid but
one that lapsed and one that ends within the week, and the one funded deal closed two days ago.

Everything is written through the services, in the caller's single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline import audit, clock
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
from ir_pipeline.errors import Conflict
from ir_pipeline.fx import service as fx
from ir_pipeline.fx.rates import check_rate
from ir_pipeline.models import AuditAction, AuditEntry, DatabaseInfo, LetterOfIntent, complete_metadata
from ir_pipeline.money import Money
from ir_pipeline.naming import business_no_check_digit
from ir_pipeline.queries.records import has_data
from ir_pipeline.services import database_date, deals, followups, fundings, lois, records, users
from ir_pipeline.services.database_date import set_as_of
from ir_pipeline.stages import Stage
from ir_pipeline.views import EventView

EVENT_NAME = "WSCW 2018 IR Session"
#: The day the demo stands on: the press release's (소비자를 위한 신문, 2018-10-10).
AS_OF = date(2018, 10, 10)
#: How long an LOI stands unless said otherwise (three months is the common form).
VALIDITY = timedelta(days=90)
#: LOIs that stand for less: (LOI index, valid until).
SHORT_VALIDITY = {
    13: date(2018, 10, 15),  # the bank's loan offer: ends within the week of AS_OF
    25: date(2018, 10, 4),  # the angels' offer: lapsed, and the deal was lost over valuation
}
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

#: The LOI whose deal was funded (Mobility Lab × Urban Mobility CVC).
FUNDED = 5

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
    as_of: date


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
    for table in reversed(complete_metadata().sorted_tables):
        if table.name in (AuditEntry.__tablename__, DatabaseInfo.__tablename__):
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
    database_date.renew_identity(session, actor=actor)  # new rows, a new identity: no calendar confuses them


#: Exchange rates for trying converted totals (``irp --demo funnel --base USD``): won per unit
#: near the session's days, rounded and marked as demo figures, not a published fixing.
DEMO_RATES = (
    ("USD", "1120", date(2018, 9, 17)),
    ("EUR", "1310", date(2018, 9, 17)),
    ("JPY", "10", date(2018, 9, 17)),
    ("USD", "1130", date(2018, 10, 8)),
    ("EUR", "1300", date(2018, 10, 8)),
    ("JPY", "10.05", date(2018, 10, 8)),
)
DEMO_RATE_SOURCE = "demo figures"


def start_demo(session: Session, *, actor: Actor, erase: bool = False) -> DemoSummary:
    """Load the demo for ``actor``, in this transaction: into an empty database, or (``erase``,
    asked and confirmed by the caller) into one whose rows it erases first. The one rule for the
    CLI's ``irp demo`` and the TUI's first-run panel."""
    users.require_admin(session, actor, "load the demo")  # on PostgreSQL: it records users
    if has_data(session):
        if not erase:
            raise Conflict("this database already holds data: the demo loads into an empty one")
        reset_database(session, actor=actor)
    return load_demo(session)


def load_demo(session: Session) -> DemoSummary:
    """Write the demo set in the caller's transaction, each part on its own date, and date the
    database :data:`AS_OF`; return what was loaded."""
    staff = Actor(name="staff", role=Role.STAFF)
    with clock.dated(date(2018, 6, 15)):  # the programme took its startups and investors in June
        event, startup_ids, investor_ids = _records(session, staff)
    with clock.dated(AS_OF):
        deal_of = _history(session, staff, event_id=event.id, startups=startup_ids, investors=investor_ids)
        _follow_ups(session, staff, deal_of)
        set_as_of(session, actor=staff, day=AS_OF)
        return _users(session, staff, event=event.name, startups=startup_ids, investors=investor_ids)


def _records(session: Session, staff: Actor) -> tuple[EventView, list[int], list[int]]:
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
    return event, startup_ids, investor_ids


def _history(
    session: Session, staff: Actor, *, event_id: int, startups: list[int], investors: list[int]
) -> dict[int, int]:
    """The deals, their LOIs and every move since, each on its day; LOI index → deal id."""
    opened = _kst(date(2018, 9, 18), 9)
    pitched = _kst(date(2018, 9, 18), 15)
    deal_of: dict[int, int] = {}
    for n, (s, inv, amount, instrument, day) in enumerate(LOIS):
        row = deals.open_deal(
            session,
            actor=staff,
            startup_id=startups[s],
            investor_id=investors[inv],
            event_id=event_id,
            owner="staff",
            # the CVC had followed Mobility Lab since a partnering day in the summer
            at=_kst(date(2018, 6, 20)) if n == FUNDED else opened,
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
                valid_until=SHORT_VALIDITY.get(n, received + VALIDITY),
                conditions="Subject to due diligence and investment committee approval.",
            ),
            at=_kst(received, 17),
        )
        deal_of[n] = row.id
    for s, inv, stage in OPEN_INTEREST:
        row = deals.open_deal(
            session,
            actor=staff,
            startup_id=startups[s],
            investor_id=investors[inv],
            event_id=event_id,
            owner="staff",
            at=opened,
        )
        if stage is Stage.PITCHED:
            deals.move_stage(
                session, actor=staff, deal_id=row.id, to=Stage.PITCHED, reason="IR session", at=pitched
            )

    def move(n: int, to: Stage, day: date, reason: str = "") -> None:
        deals.move_stage(session, actor=staff, deal_id=deal_of[n], to=to, reason=reason, at=_kst(day))

    # Mobility Lab × Urban Mobility CVC: all the way to the bank (the funding converts the LOI).
    move(FUNDED, Stage.DILIGENCE, date(2018, 9, 21), "diligence begun in the summer; IC fast-track")
    move(FUNDED, Stage.TERM_SHEET, date(2018, 9, 28), "term sheet signed")
    fundings.record_funding(
        session,
        actor=staff,
        deal_id=deal_of[FUNDED],
        draft=FundingDraft(
            amount=Money(Decimal(20 * EOK), "KRW"), closed_on=date(2018, 10, 8), instrument=Instrument.RCPS
        ),
        reason="bridge round closed",
        at=_kst(date(2018, 10, 8)),
    )
    # ParkMate × K-City Partners: term sheet on the table.
    move(16, Stage.DILIGENCE, date(2018, 9, 27), "management meetings done")
    move(16, Stage.TERM_SHEET, date(2018, 10, 8), "valuation agreed")
    # Diligence under way.
    move(0, Stage.DILIGENCE, date(2018, 10, 2), "data room opened")
    move(9, Stage.DILIGENCE, date(2018, 10, 4), "technical review")
    move(22, Stage.DILIGENCE, date(2018, 10, 8), "pilot results requested")
    # Lost and on hold: the accelerator withdrew its offer; the angels' lapsed over valuation.
    move(15, Stage.LOST, date(2018, 10, 1), "accelerator batch full; no follow-on this year")
    move(25, Stage.LOST, date(2018, 10, 5), "valuation gap; the LOI lapsed on 2018-10-04")
    move(21, Stage.ON_HOLD, date(2018, 10, 5), "startup restructuring; revisit next quarter")
    withdrawn = session.exec(
        select(LetterOfIntent.id)
        .where(LetterOfIntent.deal_id == deal_of[15])
        .order_by(col(LetterOfIntent.id))
    ).first()
    assert withdrawn is not None
    with clock.dated(date(2018, 10, 1)):
        lois.set_loi_status(session, actor=staff, loi_id=withdrawn, status=LoiStatus.WITHDRAWN)
    return deal_of


#: Follow-ups: (LOI index, due day relative to AS_OF, channel, note, open/done/cancelled).
FOLLOW_UPS: list[tuple[int, int, Channel, str, str]] = [
    (0, -6, Channel.EMAIL, "Send updated financial model to Hanbit", "open"),
    (9, -3, Channel.MEETING, "Site visit at AirSense pilot district", "open"),
    (16, -1, Channel.CALL, "Chase K-City legal on term sheet mark-up", "open"),
    (22, 0, Channel.CALL, "Share SafeWalk pilot results", "open"),
    (13, 2, Channel.CALL, "Loan terms with Mirae Green Bank before its offer ends on 10-15", "open"),
    (1, 3, Channel.EMAIL, "Introduce GreenGrid CFO to Blue Harbor", "open"),
    (6, 7, Channel.MEETING, "Partner meeting at K-City Partners", "open"),
    (17, 21, Channel.EMAIL, "Send ParkMate cap table to Dongbang", "open"),
    (10, -20, Channel.EMAIL, "Thank-you note after the IR session", "done"),
    (2, -15, Channel.CALL, "Angel round timing call", "done"),
    (12, -10, Channel.MEETING, "Demo day follow-up meeting", "done"),
    (18, -8, Channel.EMAIL, "Send ParkMate deck v2", "done"),
    (19, -4, Channel.EMAIL, "Ask about fund timing", "cancelled"),
]
SESSION_ENDS = date(2018, 9, 20)


def _follow_ups(session: Session, staff: Actor, deal_of: dict[int, int]) -> None:
    """Planned at the session or a week before they fall due, closed on the day they fell due."""
    for n, offset, channel, note, status in FOLLOW_UPS:
        due = AS_OF + timedelta(days=offset)
        planned = min(due, max(SESSION_ENDS, due - timedelta(days=7)), AS_OF)
        follow_up = followups.add_follow_up(
            session,
            actor=staff,
            deal_id=deal_of[n],
            draft=FollowUpDraft(due_on=due, owner="staff", channel=channel, note=note),
            at=_kst(planned, 9),
        )
        closed_at = _kst(due, 16)
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


def _users(
    session: Session, staff: Actor, *, event: str, startups: list[int], investors: list[int]
) -> DemoSummary:
    names = ["staff", "manager"]
    users.create_user(session, actor=staff, name="staff", role=Role.STAFF, login=False)
    users.create_user(session, actor=staff, name="manager", role=Role.MANAGER, login=False)
    for (name, _, _), sid in zip(STARTUPS, startups, strict=True):
        login = name.split(" (")[0].lower().replace(" ", "")
        users.create_user(session, actor=staff, name=login, role=Role.STARTUP, startup_id=sid, login=False)
        names.append(login)

    total = sum((amount for _, _, amount, _, _ in LOIS), 0)
    assert len(LOIS) == EXPECTED_LOI_COUNT and total == EXPECTED_TOTAL_KRW
    return DemoSummary(
        event=event,
        startups=len(startups),
        investors=len(investors),
        lois=len(LOIS),
        total=Money(Decimal(total), "KRW"),
        users=names,
        as_of=AS_OF,
    )
