"""Name normalisation, so ``(주)그린그리드``, ``GreenGrid Inc.`` and ``greengrid`` find one company.

The key drops what is not part of a company's identity: width (NFKC turns ``Ｇ`` into ``G`` and
``㈜`` into ``(주)``), case, legal-form markers and punctuation.
"""

from __future__ import annotations

import re
import unicodedata

_LEGAL_FORMS = re.compile(
    r"\(주\)|\(유\)|\(사\)|\(재\)|주식회사|유한회사|유한책임회사|"
    r"\b(?:co\.?,?\s*ltd|pvt\.?\s*ltd|pte\.?\s*ltd|private\s+limited|corporation|corp|inc|incorporated|"
    r"ltd|limited|llc|l\.l\.c|gmbh|plc|pvt|pte|co)\b\.?",
    re.IGNORECASE,
)
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
#: Never part of a name (names are refused with them), so never part of a key: a search typed
#: with a NUL finds what the rest of it finds, on SQLite and on PostgreSQL (whose text has none).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def name_key(name: str) -> str:
    """The comparison key of a company or person name (never shown to users)."""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = _LEGAL_FORMS.sub(" ", s)
    s = _NOISE.sub("", s)
    return s or _CONTROLS.sub("", unicodedata.normalize("NFKC", name).casefold()).strip()


def clean_name(name: str) -> str:
    """The display name: width-normalised, single-spaced, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip()


_BUSINESS_NO = re.compile(r"^(\d{3})-?(\d{2})-?(\d{5})$")


def normalise_business_no(text: str) -> str:
    """Return 사업자등록번호 as ``123-45-67890`` or raise ``Invalid``."""
    from ir_pipeline.errors import Invalid

    m = _BUSINESS_NO.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        raise Invalid(
            f"business registration number {text!r} must be 10 digits, written 123-45-67890",
            field="business_no",
        )
    digits = [int(c) for c in "".join(m.groups())]
    if digits[9] != business_no_check_digit(digits[:9]):
        raise Invalid(
            f"business registration number {text!r} fails its check digit: look for a typo",
            field="business_no",
        )
    return "-".join(m.groups())


def business_no_check_digit(first_nine: list[int]) -> int:
    """The National Tax Service check digit of a 사업자등록번호 (weights 1,3,7,1,3,7,1,3,5)."""
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(first_nine, weights, strict=True))
    total += (first_nine[8] * 5) // 10
    return (10 - total % 10) % 10
