"""Closed vocabularies: roles, investor kinds, instruments and statuses.

Each is a ``StrEnum`` whose values are what is stored and typed; :func:`parse_choice` accepts
the spellings and Korean words users actually type and says which values exist when it cannot.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache
from typing import TypeVar

from ir_pipeline.errors import Invalid
from ir_pipeline.text import excerpt

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


#: What people read for each stored value (tables, reports); the raw value only in ``--json``.
_LABELS: dict[str, str] = {
    "vc": "VC",
    "cvc": "CVC",
    "angel": "Angel",
    "bank": "Bank",
    "pe": "Private equity",
    "accelerator": "Accelerator",
    "government": "Public / policy",
    "common": "Common shares",
    "preferred": "Preferred shares",
    "rcps": "RCPS",
    "convertible_note": "Convertible note",
    "bw": "Bond with warrants",
    "safe": "SAFE",
    "loan": "Loan",
    "grant": "Grant",
    "received": "Received",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
    "converted": "Converted",
    "open": "Open",
    "done": "Done",
    "cancelled": "Cancelled",
    "email": "E-mail",
    "call": "Call",
    "meeting": "Meeting",
    "message": "Message",
    "other": "Other",
    "staff": "Staff",
    "manager": "Manager",
    "startup": "Startup",
}


class ShareKind(StrEnum):
    """What a share link shows: one startup's investor interest, or one event's funnel."""

    STARTUP = "startup"
    EVENT = "event"


class EndpointFormat(StrEnum):
    """How a notice is sent: Standard Webhooks (signed JSON), or a chat tool's incoming webhook."""

    STANDARD = "standard"
    SLACK = "slack"
    TEAMS = "teams"
    JANDI = "jandi"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to send (again), at ``next_attempt_at``
    DELIVERED = "delivered"
    FAILED = "failed"  # refused by the receiver (a 4xx other than 408/429): not retried by itself
    DEAD = "dead"  # every attempt failed; ``irp notify retry`` sends it again


def label(value: StrEnum) -> str:
    """``convertible_note`` → ``Convertible note``: the word people read for a stored value."""
    return _LABELS.get(value.value, value.value.replace("_", " ").capitalize())


_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    Instrument: {
        "보통주": "common",
        "common shares": "common",
        "common stock": "common",
        "equity": "common",
        "우선주": "preferred",
        "전환우선주": "preferred",
        "cps": "preferred",
        "preferred shares": "preferred",
        "상환전환우선주": "rcps",
        "cb": "convertible_note",
        "convertible bond": "convertible_note",
        "전환사채": "convertible_note",
        "note": "convertible_note",
        "신주인수권부사채": "bw",
        "bond with warrants": "bw",
        "조건부지분인수계약": "safe",
        "융자": "loan",
        "대출": "loan",
        "debt": "loan",
        "보조금": "grant",
        "지원금": "grant",
        "기타": "other",
    },
    InvestorKind: {
        "venture capital": "vc",
        "벤처캐피탈": "vc",
        "벤처캐피털": "vc",
        "창업투자회사": "vc",
        "창투사": "vc",
        "신기술사업금융회사": "vc",
        "신기사": "vc",
        "corporate vc": "cvc",
        "corporate venture capital": "cvc",
        "기업형 벤처캐피탈": "cvc",
        "기업형 벤처캐피털": "cvc",
        "엔젤": "angel",
        "엔젤투자자": "angel",
        "개인투자자": "angel",
        "개인": "angel",
        "angel investor": "angel",
        "은행": "bank",
        "private equity": "pe",
        "사모펀드": "pe",
        "pef": "pe",
        "ac": "accelerator",
        "액셀러레이터": "accelerator",
        "엑셀러레이터": "accelerator",
        "public": "government",
        "정책금융": "government",
        "공공기관": "government",
        "정부": "government",
        "정책기관": "government",
        "증권사": "other",
        "기타": "other",
    },
    Role: {
        "admin": "manager",
        "직원": "staff",
        "매니저": "manager",
        "관리자": "manager",
        "스타트업": "startup",
    },
    Channel: {
        "phone": "call",
        "mail": "email",
        "e-mail": "email",
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
        "카카오톡": "message",
        "기타": "other",
    },
    FollowUpStatus: {
        "완료": "done",
        "취소": "cancelled",
        "canceled": "cancelled",
        "예정": "open",
        "진행중": "open",
        "대기": "open",
        "미완료": "open",
    },
    LoiStatus: {
        "접수": "received",
        "수령": "received",
        "철회": "withdrawn",
        "만료": "expired",
        "전환": "converted",
        "투자전환": "converted",
    },
}


def choice_key(text: str) -> str:
    """``Term sheet``, ``term-sheet``, ``TERM_SHEET`` and ``기업형 벤처캐피탈`` in one comparable form."""
    return re.sub(r"[\s_\-()/.·]+", "", unicodedata.normalize("NFKC", text).casefold())


@cache
def _lookup(enum: type[StrEnum], aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    table = {choice_key(member.value): member.value for member in enum}
    table.update({choice_key(alias): value for alias, value in aliases})
    return table


def parse_choice(
    enum: type[E], text: str, *, what: str, aliases: dict[str, str] | None = None, field: str | None = None
) -> E:
    """Read one of ``enum``'s values from free text, or raise :class:`Invalid` listing them."""
    extra = aliases if aliases is not None else _ALIASES.get(enum, {})
    value = _lookup(enum, tuple(extra.items())).get(choice_key(text))
    if value is None:
        values = ", ".join(member.value for member in enum)
        shown = excerpt(text)
        raise Invalid(f"unknown {what} {shown!r}: use one of {values}", field=field or what)
    return enum(value)
