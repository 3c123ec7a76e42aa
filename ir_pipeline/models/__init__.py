"""All tables, imported here so ``SQLModel.metadata`` is complete for Alembic."""

from ir_pipeline.enums import DeliveryStatus, EndpointFormat
from ir_pipeline.models.audit import AuditAction, AuditEntry
from ir_pipeline.models.base import NAMING_CONVENTION
from ir_pipeline.models.fx import FxRate
from ir_pipeline.models.info import DatabaseInfo
from ir_pipeline.models.outbox import (
    NotifyAttempt,
    NotifyDelivery,
    NotifyEndpoint,
    OutboxEvent,
)
from ir_pipeline.models.pipeline import Deal, FollowUp, Funding, LetterOfIntent, Pitch, StageChange
from ir_pipeline.models.records import Contact, Event, Investor, Startup
from ir_pipeline.models.share import ShareLink, ShareView
from ir_pipeline.models.summary import FunnelSum
from ir_pipeline.models.users import User

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
]
