"""Numbers, text and encodings from outside, at their bounds: one line and exit 1, never a
traceback, and nothing written (issue 23's reproductions, on both databases)."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import irp

#: Commands that take an id, as a user would type them with an id out of every range.
ID_COMMANDS = [
    ["deal", "move", "{id}", "lost", "--reason", "x"],
    ["deal", "revert", "{id}", "--reason", "x"],
    ["deal", "show", "{id}"],
    ["loi", "edit", "{id}", "--amount", "1억"],
    ["loi", "show", "{id}"],
    ["followup", "done", "{id}"],
    ["followup", "cancel", "{id}"],
    ["followup", "reopen", "{id}"],
    ["followup", "snooze", "{id}"],
    ["followup", "share", "{id}"],
    ["followup", "add", "--deal", "{id}", "--due", "+1d"],
    ["funding", "add", "--deal", "{id}", "--amount", "1억", "--closed", "2026-11-01"],
    ["audit", "--deal", "{id}"],
]


def _one_line(code: int, err: str) -> None:
    assert code == 1, err
    assert err.startswith("irp: ") and err.count("\n") == 1, err


def test_an_id_out_of_range_is_one_line(demo_db_url: str) -> None:
    """Every id-taking command, every id beyond a backend's range (one database for all: a
    refusal writes nothing, so none of them changes what the next one meets)."""
    for command in ID_COMMANDS:
        for ident in (2**31, 2**63, 10**30):
            argv = [p.format(id=ident) for p in command]
            code, out, err = irp(*argv, db=demo_db_url)
            if command[0] == "audit" and ident < 2**63 and demo_db_url.startswith("sqlite"):
                assert code == 0 and "Traceback" not in out  # a SQLite id can be that large: no rows
                continue
            assert code == 1 and err.startswith("irp: ") and err.count("\n") == 1, (argv, err)


def test_undecodable_command_line_bytes_are_one_line(demo_db_url: str) -> None:
    code, _, err = irp("investor", "add", "\udc80", db=demo_db_url)  # what Python makes of b"\x80"
    _one_line(code, err)
    assert "not valid text" in err


def test_a_codec_that_is_not_a_text_encoding_is_one_line(demo_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "startups.csv"
    path.write_text("name\nAcme\n", encoding="utf-8")
    for encoding in ("rot13", "base64", "hex", "zlib", "uu", "bz2"):
        code, _, err = irp("import", "startups", str(path), "--encoding", encoding, db=demo_db_url)
        _one_line(code, err)
        assert "is not a text encoding" in err, encoding


def test_odd_utf16_without_a_bom_is_one_line(demo_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"name\nAcm")
    code, _, err = irp("import", "startups", str(path), "--encoding", "utf-16", db=demo_db_url)
    _one_line(code, err)


def test_a_huge_xlsx_number_is_a_row_problem(demo_db_url: str, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "big.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["startup", "investor", "amount"])
    sheet.append(["GreenGrid (demo)", "Hanbit Ventures (demo)", 1e308])
    book.save(path)
    code, out, err = irp("import", "lois", str(path), db=demo_db_url)
    said = out + err
    assert code == 1 and "line 2, column amount" in said and "too large" in said and "Traceback" not in said
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "business_no"])
    sheet.append(["Acme", 1e308])
    book.save(path)
    code, out, err = irp("import", "startups", str(path), db=demo_db_url)
    assert code == 1 and "line 2, column business_no" in out + err


def test_a_rate_that_would_overflow_a_conversion_is_refused_at_save(demo_db_url: str) -> None:
    # forced past the plausibility check: the conversion's own bound is the last line
    assert (
        irp("fx", "set", "EUR", "999999999999999", "--date", "2018-09-19", "--force", db=demo_db_url)[0] == 0
    )
    _, before, _ = irp("funnel", "--json", db=demo_db_url)
    args = ["loi", "add", "--startup", "windcell", "--investor", "hanbit", "--amount", "EUR 1,000,000"]
    code, _, err = irp(*args, "--received", "2018-09-20", db=demo_db_url)
    _one_line(code, err)
    assert "more than one KRW amount can hold" in err and "irp fx list EUR" in err
    assert irp("funnel", "--json", db=demo_db_url)[1] == before  # nothing was written
    # the rate mended on its own day (no check against itself): the LOI saves
    assert irp("fx", "set", "EUR", "1450", "--date", "2018-09-19", db=demo_db_url)[0] == 0
    assert irp(*args, "--received", "2018-09-21", db=demo_db_url)[0] == 0


def test_a_rate_a_million_times_off_the_earlier_one_needs_force(demo_db_url: str) -> None:
    assert irp("fx", "set", "USD", "1380", "--date", "2018-09-01", db=demo_db_url)[0] == 0
    for typo in ("1380000000000", "0.000001"):
        code, _, err = irp("fx", "set", "USD", typo, "--date", "2018-09-02", db=demo_db_url)
        _one_line(code, err)
        assert "implausible" in err and "--force" in err
    assert irp("fx", "set", "USD", "1391.5", "--date", "2018-09-02", db=demo_db_url)[0] == 0  # a real move
    assert irp("fx", "set", "USD", "13800000", "--date", "2018-09-03", "--force", db=demo_db_url)[0] == 0
    assert irp("fx", "set", "USD", "1380", "--date", "2018-09-03", db=demo_db_url)[0] == 0  # the typo mended


#: Every filter that takes text, typed with a NUL (the TUI's search box and a script can pass one;
#: PostgreSQL's text cannot hold it, SQLite's can).
NUL_FILTERS = [
    ["startup", "list", "--search", "{t}"],
    ["investor", "list", "--search", "{t}"],
    ["deal", "list", "--search", "{t}"],
    ["deal", "list", "--startup", "{t}"],
    ["loi", "list", "--investor", "{t}"],
    ["funnel", "--startup", "{t}"],
    ["audit", "--user", "{t}"],
    ["notify", "events", "--type", "{t}"],
    ["fx", "list", "--currency", "{t}"],
    ["investor", "add", "{t}"],
    ["startup", "add", "Acme", "--description", "{t}"],
]


def test_a_nul_in_any_text_is_an_answer_on_both_databases(demo_db_url: str) -> None:
    for command in NUL_FILTERS:
        for text in ("\x00", "Green\x00Grid"):
            argv = [p.format(t=text) for p in command]
            code, out, err = irp(*argv, db=demo_db_url)
            assert code in (0, 1), (argv, code, err)
            if code == 1:
                assert err.startswith("irp: ") and err.count("\n") == 1, (argv, err)
            assert "\x00" not in out + err, argv
