"""Closed vocabularies: roles, investor kinds, instruments and statuses.

Each is a ``StrEnum`` whose values are what is stored and typed; :func:`parse_choice` accepts
the spellings and Korean words users actually type and says which values exist when it cannot.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from ir_pipeline.errors import Invalid

E = TypeVar("E", bound=StrEnum)


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    STARTUP = "startup"


class InvestorKind(StrEnum):
    VC = "vc"
    CVC = "cvc"
    ANGEL = "angel"
    BANK = "bank"
    PE = "pe"
    ACCELERATOR = "accelerator"
    GOVERNMENT = "government"
    OTHER = "other"


class Instrument(StrEnum):
    COMMON = "common"
    PREFERRED = "preferred"
    RCPS = "rcps"
    CONVERTIBLE_NOTE = "convertible_note"
    BOND_WITH_WARRANTS = "bw"
    SAFE = "safe"
    LOAN = "loan"
    GRANT = "grant"
    OTHER = "other"


class LoiStatus(StrEnum):
    RECEIVED = "received"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CONVERTED = "converted"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    MESSAGE = "message"
    OTHER = "other"


_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    Instrument: {
        "보통주": "common",
        "common_shares": "common",
        "우선주": "preferred",
        "상환전환우선주": "rcps",
        "cb": "convertible_note",
        "convertible_bond": "convertible_note",
        "전환사채": "convertible_note",
        "note": "convertible_note",
        "신주인수권부사채": "bw",
        "조건부지분인수계약": "safe",
        "융자": "loan",
        "대출": "loan",
        "보조금": "grant",
    },
    InvestorKind: {
        "venture_capital": "vc",
        "corporate_vc": "cvc",
        "private_equity": "pe",
        "bank": "bank",
        "government": "government",
        "public": "government",
    },
    Role: {"manager": "manager", "admin": "manager"},
    Channel: {
        "phone": "call",
        "mail": "email",
        "visit": "meeting",
        "chat": "message",
        "전화": "call",
        "통화": "call",
        "이메일": "email",
        "메일": "email",
        "미팅": "meeting",
        "회의": "meeting",
        "방문": "meeting",
        "메시지": "message",
        "문자": "message",
        "카톡": "message",
        "기타": "other",
    },
    FollowUpStatus: {
        "완료": "done",
        "취소": "cancelled",
        "canceled": "cancelled",
        "예정": "open",
        "진행중": "open",
    },
    LoiStatus: {
        "접수": "received",
        "철회": "withdrawn",
        "만료": "expired",
        "전환": "converted",
        "투자전환": "converted",
    },
}


def parse_choice(enum: type[E], text: str, *, what: str) -> E:
    """Read one of ``enum``'s values from free text, or raise :class:`Invalid` listing them."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(enum, {}).get(key, key)
    try:
        return enum(key)
    except ValueError:
        values = ", ".join(member.value for member in enum)
        raise Invalid(f"unknown {what} {text!r}: use one of {values}", field=what) from None
