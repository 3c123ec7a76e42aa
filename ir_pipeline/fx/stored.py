"""Reading stored rates: the rate book for a conversion, the list, the newest one's age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from ir_pipeline.fx.rates import Rate, RateBook
from ir_pipeline.models import FxRate


@dataclass(frozen=True, slots=True)
class RateView:
    id: int
    base: str
    quote: str
    day: date
    rate: str
    source: str
    fetched_at: datetime
    fetched_by: str

    def as_json(self) -> dict[str, str | int]:
        return {
            "id": self.id,
            "base": self.base,
            "quote": self.quote,
            "day": self.day.isoformat(),
            "rate": self.rate,
            "source": self.source,
            "fetched_at": self.fetched_at.isoformat(),
            "fetched_by": self.fetched_by,
        }


def _rate(row: FxRate) -> Rate:
    return Rate(base=row.base, quote=row.quote, day=row.day, rate=row.rate, source=row.source)


def load_book(session: Session, *, quotes: set[str] | None = None) -> RateBook:
    """Every stored rate (into ``quotes`` only, when given) as a :class:`RateBook`: a few
    thousand rows for years of daily rates, read once for a whole import or report."""
    query = select(FxRate)
    if quotes is not None:
        query = query.where(col(FxRate.quote).in_(sorted(quotes)))
    return RateBook.of(_rate(row) for row in session.exec(query).all())


def nearest(session: Session, base: str, quote: str, day: date) -> Rate | None:
    """The stored ``base``/``quote`` rate of ``day``, or the nearest earlier day's."""
    row = session.exec(
        select(FxRate)
        .where(FxRate.base == base, FxRate.quote == quote, col(FxRate.day) <= day)
        .order_by(col(FxRate.day).desc())
        .limit(1)
    ).first()
    return None if row is None else _rate(row)


def list_rates(
    session: Session,
    *,
    currency: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 200,
) -> list[RateView]:
    """Stored rates, newest day first (one currency, one period, when asked)."""
    query = select(FxRate)
    if currency:
        query = query.where((FxRate.base == currency) | (FxRate.quote == currency))
    if start:
        query = query.where(col(FxRate.day) >= start)
    if end:
        query = query.where(col(FxRate.day) <= end)
    rows = session.exec(
        query.order_by(col(FxRate.day).desc(), col(FxRate.base), col(FxRate.quote)).limit(limit)
    ).all()
    return [
        RateView(
            id=int(r.id or 0),
            base=r.base,
            quote=r.quote,
            day=r.day,
            rate=format(r.rate, "f"),
            source=r.source,
            fetched_at=r.fetched_at,
            fetched_by=r.fetched_by,
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How current the stored rates are: the newest rate's day and when rates last arrived."""

    newest_day: date | None
    fetched_at: datetime | None
    count: int


def freshness(session: Session) -> Freshness:
    from sqlalchemy import func

    day, fetched, count = session.exec(
        select(func.max(FxRate.day), func.max(FxRate.fetched_at), func.count())
    ).one()
    return Freshness(newest_day=day, fetched_at=fetched, count=int(count))


def age_text(fresh: Freshness, now: datetime) -> str:
    """``rates to 2018-09-21, fetched 3 days ago`` (or how to get some): for the dashboard."""
    if fresh.newest_day is None or fresh.fetched_at is None:
        return "no exchange rates stored: ctrl+p › Update exchange rates (or irp fx set)"
    seconds = max(0.0, (now - fresh.fetched_at).total_seconds())
    if seconds < 3600:
        ago = f"{int(seconds // 60)} min ago"
    elif seconds < 2 * 86400:
        ago = f"{int(seconds // 3600)} h ago"
    else:
        ago = f"{int(seconds // 86400)} days ago"
    return f"rates to {fresh.newest_day.isoformat()}, fetched {ago}"
