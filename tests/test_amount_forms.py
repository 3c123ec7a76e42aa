"""Every amount form the README and the glossary show still parses to the amount they give.

The tables are read from the documents themselves (``README.md`` and ``docs/glossary.md``, the
project's copy of the team glossary), so a change to the parser that breaks a documented form, or
a document that promises a form the parser refuses, fails here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from ir_pipeline.errors import Invalid
from ir_pipeline.money import Money, parse_money

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "glossary.md"]
_VALUE = re.compile(r"^([\d,]+) ([A-Z]{3})$")


def amount_rows(path: Path) -> list[tuple[str, str]]:
    """``(written, value)`` rows of the document's ``| written | value |`` table."""
    text = path.read_text(encoding="utf-8")
    start = text.index("| written | value |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        written, value = (cell.strip() for cell in line.strip("|").split("|")[:2])
        rows.append((written, value))
    return rows


def forms(written: str) -> list[str]:
    """``171억 5천만 원 / 171.5억`` → each form; notes in parentheses (``(KRW context)``) dropped."""
    return [re.sub(r"\s*\([^)]*\)\s*$", "", form).strip() for form in written.split(" / ")]


CASES = [(path.name, written, value) for path in DOCUMENTS for written, value in amount_rows(path)]


def test_the_documents_have_amount_tables() -> None:
    assert {name for name, _, _ in CASES} == {"README.md", "glossary.md"}
    assert len(CASES) >= 12


@pytest.mark.parametrize(("document", "written", "value"), CASES)
def test_documented_forms_parse_as_documented(document: str, written: str, value: str) -> None:
    if value.startswith("**ambiguous**"):
        for form in forms(written):
            with pytest.raises(Invalid) as caught:
                parse_money(form)
            message = str(caught.value)
            assert "ambiguous" in message and "₩150,000,000" in message and "₩100,005,000" in message
        return
    match = _VALUE.match(value)
    assert match, f"{document}: cannot read the value {value!r}"
    expected = Money(Decimal(match.group(1).replace(",", "")), match.group(2))
    for form in forms(written):
        assert parse_money(form) == expected, f"{document}: {form!r}"


def test_the_glossary_copy_matches_the_shared_one() -> None:
    shared = ROOT.parent / "shared" / "glossary.md"
    if not shared.exists():
        pytest.skip("no ../shared/glossary.md beside this checkout")
    assert (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")
