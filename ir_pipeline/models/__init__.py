"""Every table, each loaded when first named.

``from ir_pipeline.models import Deal`` loads the module that defines ``Deal`` (and what it
needs), not every table: building a SQLModel table costs a few milliseconds, and a read such as
``irp funnel --json`` or the TUI's first page uses fewer than half of them. Code that needs
the whole schema (Alembic, copying or erasing every table) asks :func:`complete_metadata`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ir_pipeline.enums import DeliveryStatus, EndpointFormat

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ir_pipeline.models.audit import AuditAction, AuditEntry
    from ir_pipeline.models.base import NAMING_CONVENTION
    from ir_pipeline.models.fx import FxRate
    from ir_pipeline.models.info import DatabaseInfo
    from ir_pipeline.models.outbox import NotifyAttempt, NotifyDelivery, NotifyEndpoint, OutboxEvent
    from ir_pipeline.models.pipeline import Deal, FollowUp, Funding, LetterOfIntent, Pitch, StageChange
    from ir_pipeline.models.records import Contact, Event, Investor, Startup
    from ir_pipeline.models.share import ShareLink, ShareView
    from ir_pipeline.models.summary import FunnelRate, FunnelSum
    from ir_pipeline.models.users import User

#: module → the names it defines (every table module is listed: ``complete_metadata`` loads them all)
_MODULES: dict[str, tuple[str, ...]] = {
    "audit": ("AuditAction", "AuditEntry"),
    "base": ("NAMING_CONVENTION",),
    "fx": ("FxRate",),
    "info": ("DatabaseInfo",),
    "outbox": ("NotifyAttempt", "NotifyDelivery", "NotifyEndpoint", "OutboxEvent"),
    "pipeline": ("Deal", "FollowUp", "Funding", "LetterOfIntent", "Pitch", "StageChange"),
    "records": ("Contact", "Event", "Investor", "Startup"),
    "share": ("ShareLink", "ShareView"),
    "summary": ("FunnelRate", "FunnelSum"),
    "users": ("User",),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "NAMING_CONVENTION",
    "AuditAction",
    "AuditEntry",
    "Contact",
    "DatabaseInfo",
    "Deal",
    "DeliveryStatus",
    "EndpointFormat",
    "Event",
    "FollowUp",
    "Funding",
    "FunnelRate",
    "FunnelSum",
    "FxRate",
    "Investor",
    "LetterOfIntent",
    "NotifyAttempt",
    "NotifyDelivery",
    "NotifyEndpoint",
    "OutboxEvent",
    "Pitch",
    "ShareLink",
    "ShareView",
    "StageChange",
    "Startup",
    "User",
    "complete_metadata",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def complete_metadata() -> sa.MetaData:
    """``SQLModel.metadata`` with every table on it (for Alembic, and for what walks all tables)."""
    from sqlmodel import SQLModel

    for module in _MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return SQLModel.metadata
