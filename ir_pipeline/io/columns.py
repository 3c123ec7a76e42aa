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
        _c("name", "event", "event name", "이벤트", "이벤트명", "행사", "행사명", required=True),
        _c("starts_on", "starts", "start", "date", "start date", "시작일", "일자", "날짜", required=True),
        _c("ends_on", "ends", "end", "end date", "종료일"),
        _c("venue", "place", "location", "장소"),
        _c("organiser", "organizer", "host", "주최", "주관"),
    ],
    "startups": [
        _c("name", "startup", "company", "기업명", "회사명", "기업", "스타트업", required=True),
        _c("sector", "industry", "field", "분야", "업종"),
        _c("business_no", "business number", "registration number", "사업자등록번호", "사업자번호"),
        _c("description", "설명", "소개"),
    ],
    "investors": [
        _c("name", "investor", "firm", "투자사", "투자사명", "투자기관", required=True),
        _c("kind", "type", "유형", "구분"),
        _c("country", "국가"),
    ],
    "contacts": [
        _c("name", "contact", "person", "이름", "성명", required=True),
        _c("investor", "investor name", "투자사", "투자사명"),
        _c("startup", "company", "기업명", "회사명"),
        _c("email", "e-mail", "mail", "이메일"),
        _c("phone", "tel", "mobile", "전화", "전화번호", "연락처"),
        _c("role", "title", "position", "직책", "직함"),
    ],
    "lois": [
        _c("startup", "company", "기업명", "회사명", "기업", required=True),
        _c("investor", "investor name", "투자사", "투자사명", "투자기관", required=True),
        _c("amount", "금액", "투자금액", "투자검토금액", required=True),
        _c("currency", "통화"),
        _c("amount_max", "upper", "upper amount", "max amount", "상한", "최대금액"),
        _c("instrument", "투자방식", "투자형태"),
        _c("received_on", "received", "date", "received date", "접수일", "접수일자", "날짜"),
        _c("valid_until", "valid", "expires", "유효기간", "만료일"),
        _c("status", "상태"),
        _c("conditions", "condition", "note", "notes", "조건", "비고"),
        _c("event", "event name", "행사", "행사명", "이벤트"),
        _c("owner", "담당자"),
    ],
    "followups": [
        _c("startup", "company", "기업명", "회사명", required=True),
        _c("investor", "투자사", "투자사명", required=True),
        _c("due_on", "due", "due date", "기한", "예정일", "마감일", required=True),
        _c("owner", "담당자"),
        _c("channel", "방법", "채널"),
        _c("note", "notes", "내용", "메모", "비고"),
        _c("status", "상태"),
    ],
}


def header_key(text: str) -> str:
    """``'Received Date'``, ``'received_date'`` and ``'ＲＥＣＥＩＶＥＤ-date'`` are one header."""
    return re.sub(r"[\s_\-.()/]+", "", unicodedata.normalize("NFKC", text).casefold())


def map_headers(kind: str, headers: list[str]) -> dict[str, int]:
    """Canonical key → column index; unknown headers are ignored, missing required ones refused."""
    if kind not in KINDS:
        raise Invalid(f"cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    columns = KINDS[kind]
    by_alias = {header_key(alias): column.key for column in columns for alias in column.aliases}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = by_alias.get(header_key(header))
        if key is not None and key not in found:
            found[key] = index
    missing = [c.aliases[0] for c in columns if c.required and c.key not in found]
    if missing:
        expected = ", ".join(
            f"{c.aliases[0]} ({'/'.join(a for a in c.aliases[1:] if not a.isascii())})"
            for c in columns
            if c.required
        )
        found_text = ", ".join(headers) or "no headers"
        raise Invalid(
            f"the file has no {', '.join(missing)} column; {kind} need: {expected}. Found: {found_text}"
        )
    return found


def label(kind: str, key: str, headers: list[str], index: int | None) -> str:
    """The column as the person named it, for messages."""
    if index is not None and index < len(headers) and headers[index]:
        return headers[index]
    return key
