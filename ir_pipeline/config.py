"""Settings from the environment, with defaults that work on a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from ir_pipeline.money import DEFAULT_CURRENCY, normalise_currency

APP_NAME = "ir-pipeline"


def data_dir() -> Path:
    """Where the embedded database lives: ``IRP_DATA_DIR`` or the platform's user data dir."""
    override = os.environ.get("IRP_DATA_DIR")
    return Path(override).expanduser() if override else Path(user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'irp.sqlite3'}"


def demo_database_url() -> str:
    """The demo runs in its own file, so trying the product never touches real data."""
    return f"sqlite:///{data_dir() / 'demo.sqlite3'}"


#: Days before an LOI's validity ends that ``irp notify scan`` warns (``IRP_NOTIFY_EXPIRING_DAYS``).
EXPIRING_DAYS = 7


def _days(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) > 366:
        from ir_pipeline.errors import Invalid

        raise Invalid(f"{name} must be a whole number of days from 0 to 366, not {text[:40]!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    base_currency: str = DEFAULT_CURRENCY
    #: Days before an LOI's validity ends that a scan warns of it.
    expiring_days: int = EXPIRING_DAYS

    @classmethod
    def load(cls, database_url: str | None = None) -> Settings:
        """``--db`` beats ``IRP_DATABASE_URL`` beats the SQLite file in the user data dir."""
        url = database_url or os.environ.get("IRP_DATABASE_URL") or default_database_url()
        currency = normalise_currency(os.environ.get("IRP_BASE_CURRENCY", DEFAULT_CURRENCY))
        expiring = _days("IRP_NOTIFY_EXPIRING_DAYS", EXPIRING_DAYS)
        return cls(database_url=url, base_currency=currency, expiring_days=expiring)
