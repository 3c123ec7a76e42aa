"""The crowd and the attacker at the command line: arbitrary text, numbers and dates into ``irp``.

Whatever comes in, ``irp`` answers with exit 0, 1 (one ``irp:`` line on stderr, nothing written),
2 (usage) or 3 (a stale ``--if-version``, one line, nothing written); never a traceback, and
never a raw control character on the terminal. ``IRP_FUZZ_EXAMPLES`` (80) sets how many examples
each fuzz draws: raise it for a long hunt.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ir_pipeline.cli.main import app
from ir_pipeline.db import make_engine
from tests.helpers import snapshot

runner = CliRunner()
FUZZ = settings(
    max_examples=int(os.environ.get("IRP_FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# -- what people (and attackers) type -----------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "%",
        "_",
        "\\",
        "'; DROP TABLE startup; --",
        "\x1b]0;owned\x07",
        "\x1b[2J\x1b[31mred",
        "\u202eevil",
        "[bold]x[/bold]",
        "[/]",
        "<script>alert(1)</script>",
        "=cmd|'/c calc'!A1",
        "x" * 5_000,
        "김" * 300,
        "\x00",
        "\ud7a3",
        "GreenGrid",
        "그린그리드",
        "mobility lab",
        "1",
        "-1",
    ]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=40))
NUMBER = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["10^30", "1e9", "9223372036854775807", "9223372036854775808", "NaN", "Infinity"]),
)
KOREAN_AMOUNT = st.builds(
    lambda n, unit, rest: f"{n}{unit}{rest}",
    st.integers(min_value=0, max_value=10**25),
    st.sampled_from(["경", "조", "억", "만", "천", "억5천", "조 5천", ""]),
    st.sampled_from(["", " 원", "달러", "$", "₩"]),
)
AMOUNT = st.one_of(NUMBER, KOREAN_AMOUNT, TEXT)
DATE = st.one_of(
    st.dates().map(lambda d: d.isoformat().rjust(10, "0")),
    st.integers(min_value=0, max_value=10**30).map(lambda n: f"+{n}d"),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"+{n}w"),
    st.sampled_from(["0001-01-01", "9999-12-31", "2018. 9. 19", "2018-02-30", "today", "18.9.19"]),
    TEXT,
)


#: Ids as typed: any size (SQLite's INTEGER holds 64 bits, PostgreSQL's integer 32), signs, edges.
ID = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 7, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30]),
).map(str)


@st.composite
def command(draw: st.DrawFn) -> list[str]:
    """One ``irp`` command line built from hostile parts."""
    t, a, d = draw(TEXT), draw(AMOUNT), draw(DATE)
    choices = [
        ["loi", "add", "--startup", t, "--investor", draw(TEXT), "--amount", a, "--received", d],
        ["loi", "add", "--deal", "1", "--amount", a, "--upper", draw(AMOUNT), "--valid-until", d],
        ["loi", "add", "--deal", "2", "--amount", "3억", "--currency", t, "--conditions", draw(TEXT)],
        ["loi", "edit", "1", "--amount", a, "--received", d, "--conditions", t],
        ["startup", "add", t, "--sector", draw(TEXT), "--business-no", draw(TEXT)],
        ["investor", "add", t, "--kind", draw(TEXT), "--country", draw(TEXT)],
        ["event", "add", t, "--starts", d, "--ends", draw(DATE), "--venue", draw(TEXT)],
        ["contact", "add", t, "--investor", "hanbit", "--email", draw(TEXT), "--phone", draw(TEXT)],
        ["followup", "add", "--deal", "3", "--due", d, "--note", t, "--channel", draw(TEXT)],
        ["followups", "--due-within", draw(st.integers(min_value=-5, max_value=10**12).map(str))],
        ["deal", "list", "--search", t],
        ["deal", "open", "--startup", t, "--investor", draw(TEXT), "--owner", draw(TEXT)],
        ["deal", "move", "4", t, "--reason", draw(TEXT)],
        ["funding", "add", "--deal", "5", "--amount", a, "--closed", d],
        ["funnel", "--startup", t],
        ["report", "startup", t, "--format", draw(st.sampled_from(["md", "html", t]))],
        ["audit", "--since", d],
        ["audit", "--deal", draw(ID)],
        ["deal", "show", draw(ID), "--json"],
        ["deal", "move", draw(ID), "lost", "--reason", t, "--if-version", draw(ID)],
        ["deal", "revert", draw(ID), "--reason", t],
        ["deal", "edit", draw(ID), "--notes", t, "--shared", "--if-version", draw(ID)],
        ["loi", "edit", draw(ID), "--amount", a, "--if-version", draw(ID)],
        ["loi", "show", draw(ID)],
        ["followup", "done", draw(ID), "--note", t, "--if-version", draw(ID)],
        ["followup", "snooze", draw(ID), "--to", d],
        ["followup", "share", draw(ID)],
        ["followup", "add", "--deal", draw(ID), "--due", d, "--shared"],
        ["funding", "add", "--deal", draw(ID), "--amount", a, "--if-version", draw(ID)],
    ]
    return draw(st.sampled_from(choices))


@pytest.fixture
def demo_url(sqlite_url: str) -> str:
    result = runner.invoke(app, ["--db", sqlite_url, "demo"])
    assert result.exit_code == 0, result.output
    return sqlite_url


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def counts(url: str) -> dict[str, int]:
    return snapshot(engine_for(url))


def check_answer(argv: list[str], url: str, before: dict[str, int]) -> None:
    result = runner.invoke(app, ["--db", url, *argv])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"irp {argv!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.output)
    if result.exit_code in (1, 3):  # refused, or a stale --if-version: one line, nothing written
        assert result.stderr.startswith("irp: ") and result.stderr.count("\n") == 1, result.stderr
        after = counts(url)
        assert after == before, f"irp {argv!r} failed but wrote something"
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream, argv


@FUZZ
@given(argv=command())
def test_cli_never_crashes_and_a_refusal_writes_nothing(demo_db_url: str, argv: list[str]) -> None:
    check_answer(argv, demo_db_url, counts(demo_db_url))


CELL = st.one_of(TEXT, AMOUNT, DATE).map(lambda s: s.replace("\x00", ""))


@FUZZ
@given(
    rows=st.lists(st.tuples(TEXT, TEXT, AMOUNT, DATE, DATE, CELL, CELL), min_size=1, max_size=4),
    quoted=st.booleans(),
)
def test_import_never_crashes_and_a_refusal_writes_nothing(
    demo_url: str, tmp_path: Path, rows: list[tuple[str, ...]], quoted: bool
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL)
    writer.writerow(["기업명", "투자사", "금액", "접수일", "유효기간", "담당자", "비고"])
    for row in rows:
        writer.writerow([cell.replace("\x00", "") for cell in row])
    path = tmp_path / "fuzz.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    check_answer(["import", "lois", str(path)], demo_url, counts(demo_url))


@FUZZ
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_as_a_csv_file(demo_url: str, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"\xea\xb8\xb0\xec\x97\x85\xeb\xaa\x85\n" + data)  # "기업명" then anything
    check_answer(["import", "startups", str(path)], demo_url, counts(demo_url))


@FUZZ
@given(
    url=st.one_of(TEXT, st.sampled_from(["garbage://x", "mysql://a@b/c", "::::", "sqlite://", "postgres:"]))
)
def test_any_database_url_is_an_answer_not_a_traceback(tmp_path: Path, url: str) -> None:
    result = runner.invoke(app, ["--db", url, "funnel"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"irp --db {url!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2)


#: What a workbook cell can hold: numbers of any size and sign, dates, booleans, text.
XLSX_CELL = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.dates(),
    st.booleans(),
    st.none(),
    TEXT.map(lambda s: "".join(ch for ch in s if ch.isprintable())),
)


@FUZZ
@given(
    kind=st.sampled_from(["lois", "startups", "investors", "followups"]),
    rows=st.lists(st.lists(XLSX_CELL, min_size=3, max_size=6), min_size=1, max_size=3),
)
def test_xlsx_cells_never_crash_and_a_refusal_writes_nothing(
    demo_db_url: str, tmp_path: Path, kind: str, rows: list[list[object]]
) -> None:
    """Typed workbook cells where text is expected, and text where numbers are: 1e308, -0.0,
    2^70, dates in amounts, booleans in names."""
    import openpyxl

    headers = {
        "lois": ["startup", "investor", "amount", "received_on", "valid_until", "currency"],
        "startups": ["name", "business_no", "sector", "description"],
        "investors": ["name", "kind", "country"],
        "followups": ["startup", "investor", "due_on", "note", "channel", "status"],
    }[kind]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:  # as many cells as there are columns
        sheet.append((row + [None] * len(headers))[: len(headers)])
    path = tmp_path / f"{kind}.xlsx"
    book.save(path)
    check_answer(["import", kind, str(path)], demo_db_url, counts(demo_db_url))
