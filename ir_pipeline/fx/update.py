"""``irp fx update`` and the TUI's "Update exchange rates": fetch first, outside any transaction
(a slow rates service never holds the database), then store everything in one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.config import FxSettings
from ir_pipeline.fx.fetch import fetch_rates
from ir_pipeline.fx.service import StoreReport, store_rates

#: The currencies fetched when none are named.
DEFAULT_CURRENCIES = ("USD", "EUR", "JPY", "CNY", "GBP")
#: Without dates, the last week: it holds the newest fixing whatever the weekday.
RECENT_DAYS = 7


def recent(today: date) -> tuple[date, date]:
    return today - timedelta(days=RECENT_DAYS), today


def update_rates(
    write: Callable[[], AbstractContextManager[Session]],
    *,
    actor: Actor,
    base: str,
    start: date,
    end: date,
    currencies: list[str] | None = None,
    settings: FxSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> tuple[int, StoreReport]:
    """Fetch ``currencies`` (default :data:`DEFAULT_CURRENCIES`) into ``base`` and store them;
    returns how many rates came and what storing them did."""
    actor.require_staff("update exchange rates")  # before asking the network for anything
    wanted = currencies or [c for c in DEFAULT_CURRENCIES if c != base]
    rates = fetch_rates(
        settings or FxSettings.load(), currencies=wanted, to=base, start=start, end=end, progress=progress
    )
    with write() as session:
        return len(rates), store_rates(session, actor=actor, rates=rates, force=force)


def outcome(fetched: int, report: StoreReport) -> str:
    """What an update did, in one line for the CLI and the TUI: a range without a fixing (a
    weekend, a holiday) is no error, and says so rather than "0 rates added"."""
    if fetched == 0:
        return "no fixing was published for these days (a weekend or a holiday): nothing stored"
    return f"{fetched} fetched: {report.text()}"
