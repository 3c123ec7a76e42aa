"""Which column is which: English or Korean headers, any case, spacing or punctuation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ir_pipeline.errors import Invalid


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    aliases: tuple[str, ...]
    required: bool = False


def _c(key: str, *aliases: str, required: bool = False) -> Column:
    return Column(key, (key, *aliases), required)


KINDS: dict[str, list[Column]] = {
    "events": [
        _c(
            "name",
            "event",
            "event name",
            "event title",
            "이벤트",
            "이벤트명",
            "행사",
            "행사명",
            required=True,
        ),
        _c(
            "starts_on",
            "starts",
            "start",
            "date",
            "start date",
            "event date",
            "시작일",
            "일자",
            "날짜",
            "행사일",
            required=True,
        ),
        _c("ends_on", "ends", "end", "end date", "종료일"),
        _c("venue", "place", "location", "장소"),
        _c("organiser", "organizer", "host", "주최", "주관"),
    ],
    "startups": [
        _c(
            "name",
            "startup",
            "company",
            "company name",
            "startup name",
            "organization name",
            "organisation name",
            "기업명",
            "회사명",
            "기업",
            "스타트업",
            "업체명",
            "상호",
            required=True,
        ),
        _c(
            "sector", "industry", "field", "industry vertical", "vertical", "category", "분야", "업종", "산업"
        ),
        _c("business_no", "business number", "registration number", "사업자등록번호", "사업자번호"),
        _c("description", "about", "summary", "설명", "소개", "기업소개"),
    ],
    "investors": [
        _c(
            "name",
            "investor",
            "investor name",
            "investors name",
            "firm",
            "fund",
            "organization name",
            "투자사",
            "투자사명",
            "투자기관",
            "투자자",
            required=True,
        ),
        _c("kind", "type", "investor type", "유형", "구분", "투자자유형"),
        _c("country", "country code", "국가"),
    ],
    "contacts": [
        _c(
            "name",
            "contact",
            "person",
            "full name",
            "contact name",
            "이름",
            "성명",
            "담당자명",
            required=True,
        ),
        _c("investor", "investor name", "investors name", "투자사", "투자사명"),
        _c("startup", "company", "company name", "startup name", "기업명", "회사명"),
        _c("email", "e-mail", "mail", "email address", "이메일"),
        _c("phone", "tel", "mobile", "phone number", "전화", "전화번호", "연락처", "휴대폰"),
        _c("role", "title", "position", "job title", "직책", "직함"),
    ],
    "lois": [
        _c(
            "startup",
            "company",
            "company name",
            "startup name",
            "기업명",
            "회사명",
            "기업",
            "업체명",
            required=True,
        ),
        _c(
            "investor",
            "investor name",
            "investors name",
            "investors",
            "투자사",
            "투자사명",
            "투자기관",
            "투자자",
            required=True,
        ),
        _c(
            "amount",
            "amount in usd",
            "amount usd",
            "usd amount",
            "amount in krw",
            "amount krw",
            "금액",
            "투자금액",
            "투자검토금액",
            "금액원",
            "투자금액원",
            "투자검토금액원",
            required=True,
        ),
        _c("currency", "통화", "화폐"),
        _c("amount_max", "upper", "upper amount", "max amount", "상한", "최대금액"),
        _c("instrument", "investment type", "투자방식", "투자형태"),
        _c(
            "received_on",
            "received",
            "date",
            "received date",
            "loi date",
            "접수일",
            "접수일자",
            "날짜",
            "일자",
        ),
        _c("valid_until", "valid", "expires", "expiry", "유효기간", "만료일"),
        _c("status", "상태"),
        _c("conditions", "condition", "note", "notes", "remarks", "조건", "비고"),
        _c("event", "event name", "행사", "행사명", "이벤트"),
        _c("owner", "담당자"),
    ],
    "deals": [
        _c("startup", "company", "company name", "startup name", "기업명", "회사명", required=True),
        _c("investor", "investor name", "investors name", "투자사", "투자사명", required=True),
        _c("stage", "status", "pipeline stage", "단계", "진행단계", "상태", required=True),
        _c("stage_date", "stage since", "since", "date", "단계일", "변경일", "일자"),
        _c("reached", "furthest stage", "최고단계", "도달단계"),
        _c("lost_from", "lost at", "이탈단계"),
        _c("lost_reason", "reason", "사유", "이탈사유"),
        _c("event", "event name", "행사", "행사명", "이벤트"),
        _c("owner", "담당자"),
    ],
    "fundings": [
        _c("startup", "company", "company name", "startup name", "기업명", "회사명", required=True),
        _c("investor", "investor name", "investors name", "투자사", "투자사명", required=True),
        _c("amount", "funded amount", "amount received", "금액", "투자금액", "집행금액", required=True),
        _c("currency", "통화", "화폐"),
        _c("instrument", "investment type", "투자방식", "투자형태"),
        _c("closed_on", "closed", "funded on", "date", "received", "집행일", "입금일", "일자", required=True),
    ],
    "followups": [
        _c("startup", "company", "company name", "startup name", "기업명", "회사명", required=True),
        _c("investor", "investor name", "investors name", "투자사", "투자사명", required=True),
        _c("due_on", "due", "due date", "기한", "예정일", "마감일", required=True),
        _c("owner", "담당자"),
        _c("channel", "방법", "채널"),
        _c("note", "notes", "내용", "메모", "비고"),
        _c("status", "상태"),
    ],
}

#: Headers that name their amount's currency: with no currency column, it is the default.
IMPLIED_CURRENCY = {
    "amountinusd": "USD",
    "amountusd": "USD",
    "usdamount": "USD",
    "amountinkrw": "KRW",
    "amountkrw": "KRW",
    "금액원": "KRW",
    "투자금액원": "KRW",
    "투자검토금액원": "KRW",
}


#: The columns irp's own export writes beside an LOI's or funding's fields: the conversion
#: snapshot, which a record takes again when it is saved. An import of irp's own file passes
#: over them without a word; any other column it cannot read is named.
SNAPSHOT_HEADERS = ("converted", "converted_currency", "fx_rate", "fx_day", "fx_source")


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Which file column holds each field, and what the file had that we do not read."""

    columns: dict[str, int]
    ignored: list[str]
    currency: str | None = None  # implied by the amount's header ("Amount in USD")


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``: how Excel names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_key(text: str) -> str:
    """``'Received Date'``, ``'received_date'`` and ``'ＲＥＣＥＩＶＥＤ-date'`` are one header."""
    return re.sub(r"[\s_\-.()/]+", "", unicodedata.normalize("NFKC", text).casefold())


#: What irp's own export of a kind writes that its import derives rather than reads: a deal's
#: number in the database it came from (a new database numbers its own) and the columns kept
#: from its LOIs and follow-ups. An import of irp's own file passes over them without a word.
DERIVED_HEADERS: dict[str, tuple[str, ...]] = {
    "deals": ("id", "last_loi", "currency", "next_follow_up"),
}

_SNAPSHOT_KEYS = frozenset(header_key(h) for h in SNAPSHOT_HEADERS)


def map_headers(kind: str, headers: list[str]) -> HeaderMap:
    """Canonical key → column index. Missing required columns and a field given twice are refused;
    headers we do not read are listed (once) in the result, never dropped silently."""
    if kind not in KINDS:
        raise Invalid(f"cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    columns = KINDS[kind]
    by_alias = {header_key(alias): column.key for column in columns for alias in column.aliases}
    derived = {header_key(h) for h in DERIVED_HEADERS.get(kind, ())} | _SNAPSHOT_KEYS
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        key = by_alias.get(header_key(header))
        if key is None:
            if header_key(header) in derived:
                continue  # irp's own export's snapshot or kept columns: made again, not read
            if header not in ignored:
                ignored.append(header)
            continue
        if key in found:
            first = found[key]
            raise Invalid(
                f"columns {column_letter(first)} ({headers[first]!r}) and {column_letter(index)} "
                f"({header!r}) both hold the {key.replace('_', ' ')}: keep one of them"
            )
        found[key] = index
    missing = [c.aliases[0] for c in columns if c.required and c.key not in found]
    if missing:
        expected = ", ".join(
            f"{c.aliases[0]} ({'/'.join(a for a in c.aliases[1:] if not a.isascii())})"
            for c in columns
            if c.required
        )
        found_text = ", ".join(h for h in headers if h.strip()) or "no headers"
        raise Invalid(
            f"the file has no {', '.join(missing)} column; {kind} need: {expected}. Found: {found_text}"
        )
    implied = None
    if "amount" in found and "currency" not in found:
        implied = IMPLIED_CURRENCY.get(header_key(headers[found["amount"]]))
    return HeaderMap(found, ignored, implied)


def has_required_columns(kind: str, headers: list[str]) -> bool:
    """Whether ``headers`` could be this kind's header row (every required column is there)."""
    if kind not in KINDS:
        return False
    keys = {header_key(h) for h in headers}
    return all(
        any(header_key(alias) in keys for alias in column.aliases)
        for column in KINDS[kind]
        if column.required
    )


def label(kind: str, key: str, headers: list[str], index: int | None) -> str:
    """The column as the person named it, for messages."""
    if index is not None and index < len(headers) and headers[index]:
        return headers[index]
    return key
