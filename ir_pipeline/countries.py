"""Countries as people write them: ``KR``, ``Korea``, ``South Korea``, ``한국``, ``대한민국``, ``미국``.

Stored as the ISO 3166 alpha-2 code. Names come from Babel's CLDR data in English and Korean, so
nothing here is a hand-kept list except the few everyday short forms CLDR does not carry.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ir_pipeline.errors import Invalid
from ir_pipeline.text import excerpt

_SHORT_FORMS = {
    "한국": "KR",
    "대한민국": "KR",
    "남한": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "미국": "US",
    "uk": "GB",
    "영국": "GB",
    "중국": "CN",
    "일본": "JP",
}


def _key(text: str) -> str:
    return re.sub(r"[\s.,'’()-]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@cache
def _names() -> dict[str, str]:
    from babel import Locale

    table: dict[str, str] = {}
    for locale in ("en", "ko"):
        for code, name in Locale.parse(locale).territories.items():
            if re.fullmatch(r"[A-Z]{2}", code):
                table[_key(name)] = code
                table[_key(code)] = code
    table.update({_key(k): v for k, v in _SHORT_FORMS.items()})
    return table


def parse_country(text: str) -> str:
    """The ISO 3166 alpha-2 code for ``text``, or :class:`Invalid` saying what works."""
    code = _names().get(_key(text))
    if code is None:
        shown = excerpt(text)
        raise Invalid(
            f"unknown country {shown!r}: use a two-letter ISO code such as KR or US, or its name",
            field="country",
        )
    return code
