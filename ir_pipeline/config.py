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


def base_currency() -> str:
    """The currency totals are converted to (``IRP_BASE_CURRENCY``, KRW by default): one reading
    for the settings and for the services that take a rate snapshot. A team sets it once, the
    same for everyone, since snapshots are taken in it."""
    return normalise_currency(os.environ.get("IRP_BASE_CURRENCY", "") or DEFAULT_CURRENCY)


#: Where ``irp serve`` listens by default, and so what a share link points at unless a team
#: serves it elsewhere.
SERVE_HOST, SERVE_PORT = "127.0.0.1", 8750


def share_base_url() -> str:
    """The public address of ``irp serve`` that share links start with (``IRP_SHARE_URL``, e.g.
    ``https://ir.example.kr`` behind a proxy; by default the local server)."""
    from urllib.parse import urlsplit

    from ir_pipeline.errors import Invalid

    url = os.environ.get("IRP_SHARE_URL", "").strip().rstrip("/") or f"http://{SERVE_HOST}:{SERVE_PORT}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise Invalid(
            f"IRP_SHARE_URL must be an http(s) address such as https://ir.example.kr, not {url[:60]!r}"
        )
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    #: Days before an LOI's validity ends that a scan warns of it.
    expiring_days: int = EXPIRING_DAYS

    @classmethod
    def load(cls, database_url: str | None = None) -> Settings:
        """``--db`` beats ``IRP_DATABASE_URL`` beats the SQLite file in the user data dir."""
        url = database_url or os.environ.get("IRP_DATABASE_URL") or default_database_url()
        expiring = _days("IRP_NOTIFY_EXPIRING_DAYS", EXPIRING_DAYS)
        return cls(database_url=url, expiring_days=expiring)

    @property
    def base_currency(self) -> str:
        """:func:`base_currency`, checked when a command first needs it: checking a currency
        loads Babel's tables, which ``irp tui`` would otherwise pay for before its first frame."""
        return base_currency()


def _seconds(name: str, default: float, *, low: float, high: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)  # seconds
    except ValueError:
        value = -1.0
    if not low <= value <= high:
        from ir_pipeline.errors import Invalid

        raise Invalid(f"{name} must be a number of seconds from {low:g} to {high:g}, not {text[:40]!r}")
    return value


def notify_timeout_seconds() -> float:
    """How long a deliverer waits for each part of a receiver's answer (``IRP_NOTIFY_TIMEOUT``
    seconds, 15 by default: the Standard Webhooks guidance's 15 to 30); the whole exchange has
    its own deadline built from it."""
    return _seconds("IRP_NOTIFY_TIMEOUT", 15.0, low=0.1, high=120)


def notify_lease_seconds() -> float:
    """How long a deliverer's claim on one send lasts before another may take it over
    (``IRP_NOTIFY_LEASE`` seconds, 120 by default); renewed while the send is in flight."""
    return _seconds("IRP_NOTIFY_LEASE", 120.0, low=1, high=3600)


@dataclass(frozen=True, slots=True)
class FxSettings:
    """Where rates come from (``IRP_FX_PROVIDER``: ``frankfurter`` or ``ecos``; ``IRP_FX_URL`` for
    a mirror; ``IRP_ECOS_KEY``), and how long to wait for them: ``IRP_FX_TIMEOUT`` seconds for
    one request, retries included, tried at most ``IRP_FX_ATTEMPTS`` times with a backoff from
    ``IRP_FX_BACKOFF`` seconds."""

    provider: str = "frankfurter"
    url: str = ""
    ecos_key: str = ""
    timeout: float = 20.0
    attempts: int = 3
    backoff: float = 0.5

    @classmethod
    def load(cls) -> FxSettings:
        attempts = os.environ.get("IRP_FX_ATTEMPTS", "").strip() or "3"
        if not attempts.isdigit() or not 1 <= int(attempts) <= 10:
            from ir_pipeline.errors import Invalid

            raise Invalid(f"IRP_FX_ATTEMPTS must be a whole number from 1 to 10, not {attempts[:40]!r}")
        return cls(
            provider=os.environ.get("IRP_FX_PROVIDER", "").strip() or "frankfurter",
            url=os.environ.get("IRP_FX_URL", "").strip(),
            ecos_key=os.environ.get("IRP_ECOS_KEY", "").strip(),
            timeout=_seconds("IRP_FX_TIMEOUT", 20.0, low=0.05, high=600),
            attempts=int(attempts),
            backoff=_seconds("IRP_FX_BACKOFF", 0.5, low=0, high=60),
        )
