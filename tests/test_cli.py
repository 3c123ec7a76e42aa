"""The ``irp`` command line as a script would use it: output, JSON and exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ir_pipeline.cli.main import app
from tests.conftest import fresh_sqlite_url

runner = CliRunner()


def irp(*args: str, db: str | None = None) -> tuple[int, str, str]:
    argv = (["--db", db] if db else []) + list(args)
    result = runner.invoke(app, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo_db(sqlite_demo_template: Path, tmp_path: Path) -> str:
    """A database holding the demo (as `irp demo` leaves it: that command has its own tests)."""
    return fresh_sqlite_url(sqlite_demo_template, tmp_path)


def test_demo_then_funnel_prints_the_reference_figures(demo_db: str) -> None:
    code, out, _ = irp("funnel", db=demo_db)
    assert code == 0
    assert "26건 · 8개사 · 171억 5천만 원" in out
    assert "₩17,150,000,000" in out


def test_funnel_json_has_the_documented_shape(demo_db: str) -> None:
    code, out, _ = irp("funnel", "--json", db=demo_db)
    data = json.loads(out)
    assert code == 0
    assert data["lois"]["count"] == 26
    assert data["lois"]["startups"] == 8
    assert data["lois"]["total"] == {"KRW": "17150000000"}
    assert [s["stage"] for s in data["stages"]][:3] == ["sourced", "pitched", "loi"]
    assert all(isinstance(s["deals"], int) and isinstance(s["amount"], dict) for s in data["stages"])


def test_funnel_filters_by_name(demo_db: str) -> None:
    code, out, _ = irp("funnel", "--startup", "mobility lab", "--json", db=demo_db)
    assert code == 0 and json.loads(out)["lois"]["count"] == 4
    code, _, err = irp("funnel", "--investor", "nobody at all", db=demo_db)
    assert code == 1 and err.startswith("irp: no investor named 'nobody at all'")


def test_demo_refuses_a_database_with_data_unless_forced(demo_db: str) -> None:
    code, out, err = irp("demo", db=demo_db)
    assert code == 1
    assert err.count("\n") == 1 and "already holds data" in err and "--force" in err
    code, _, err = irp("demo", "--force", db=demo_db)
    assert code == 1 and "--yes" in err  # no terminal to confirm on: refused, nothing erased
    code, out, _ = irp("demo", "--force", "--yes", "--json", db=demo_db)
    assert code == 0 and json.loads(out)["lois"] == 26
    _, out, _ = irp("funnel", "--json", db=demo_db)
    assert json.loads(out)["lois"]["count"] == 26  # replaced, not doubled


def test_default_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    code, out, err = irp("demo")
    assert code == 0, err
    assert (tmp_path / "data" / "irp.sqlite3").is_file()
    code, out, _ = irp("user", "list", "--json")
    names = {u["name"]: u["role"] for u in json.loads(out)}
    assert names["staff"] == "staff" and names["manager"] == "manager"
    assert sum(1 for role in names.values() if role == "startup") == 8


def test_environment_variable_chooses_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("IRP_DATABASE_URL", f"sqlite:///{target}")
    assert irp("demo")[0] == 0
    assert target.is_file() and not (tmp_path / "data" / "irp.sqlite3").exists()


def test_deal_list_show_and_move(demo_db: str) -> None:
    code, out, _ = irp("deal", "list", "--stage", "term_sheet", "--json", db=demo_db)
    data = json.loads(out)
    assert code == 0 and data["total"] == 1
    deal = data["deals"][0]
    assert deal["startup"] == "ParkMate (demo)" and deal["last_loi"] == {
        "amount": "2000000000",
        "currency": "KRW",
    }
    code, out, err = irp("deal", "move", str(deal["id"]), "funded", db=demo_db)
    assert code == 1 and "no funding recorded" in err
    code, out, _ = irp(
        "funding", "add", "--deal", str(deal["id"]), "--amount", "20억", "--closed", "2026-11-20", db=demo_db
    )
    assert code == 0 and "20억 원" in out
    code, out, _ = irp("deal", "show", str(deal["id"]), "--json", db=demo_db)
    detail = json.loads(out)
    assert detail["deal"]["stage"] == "funded"
    assert detail["history"][-1]["from_stage"] == "term_sheet"


def test_deal_list_sorts_and_pages(demo_db: str) -> None:
    _, out, _ = irp("deal", "list", "--sort", "last_loi", "--desc", "--limit", "2", "--json", db=demo_db)
    data = json.loads(out)
    assert data["total"] == 32 and len(data["deals"]) == 2
    assert [d["last_loi"]["amount"] for d in data["deals"]] == ["2000000000", "2000000000"]
    code, _, _err = irp("deal", "list", "--sort", "colour", db=demo_db)
    assert code == 2


def test_illegal_move_and_lost_without_reason_fail_cleanly(demo_db: str) -> None:
    code, _, err = irp("deal", "move", "1", "funded", db=demo_db)
    assert code == 1 and err.startswith("irp: cannot move a deal from Diligence to Funded")
    code, _, err = irp("deal", "move", "1", "lost", db=demo_db)
    assert code == 1 and "reason is required" in err
    code, out, _ = irp("deal", "move", "1", "lost", "--reason", "valuation gap", db=demo_db)
    assert code == 0 and "Diligence → Lost" in out


def test_loi_add_by_names_opens_the_deal_and_moves_the_funnel(demo_db: str) -> None:
    code, out, err = irp(
        "loi",
        "add",
        "--startup",
        "windcell",
        "--investor",
        "hanbit",
        "--amount",
        "1.5억",
        "--instrument",
        "RCPS",
        "--received",
        "2018.10.09",  # the demo stands on 2018-10-10
        "--valid-until",
        "+90d",
        db=demo_db,
    )
    assert code == 0, err
    assert "1억 5천만 원" in out
    _, out, _ = irp("funnel", "--json", db=demo_db)
    assert json.loads(out)["lois"]["total"] == {"KRW": "17300000000"}
    _, out, _ = irp("loi", "list", "--startup", "windcell", "--json", db=demo_db)
    rows = json.loads(out)["lois"]
    assert rows[0]["instrument"] == "rcps" and rows[0]["valid_until"] == "2019-01-08"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amount", "-3억"], "negative"),
        (["--amount", "three"], "cannot read"),
        (["--amount", "₩3억", "--currency", "USD"], "is in KRW but --currency says USD"),
        (["--amount", "3억", "--received", "yesterday-ish"], "cannot read 'yesterday-ish' as a date"),
        (["--amount", "3억", "--instrument", "tulips"], "unknown instrument"),
    ],
)
def test_bad_loi_input_is_refused_and_nothing_changes(demo_db: str, args: list[str], message: str) -> None:
    code, _, err = irp("loi", "add", "--deal", "2", *args, db=demo_db)
    assert code == 1 and message in err and err.count("\n") == 1
    _, out, _ = irp("loi", "list", "--json", db=demo_db)
    assert len(json.loads(out)["lois"]) == 26


def test_loi_pages_follow_each_other_by_cursor(demo_db: str) -> None:
    seen: list[int] = []
    after: list[str] = []
    while True:
        code, out, err = irp("loi", "list", "--limit", "10", "--json", *after, db=demo_db)
        assert code == 0, err
        page = json.loads(out)
        seen += [row["id"] for row in page["lois"]]
        if page["next_after"] is None:
            break
        after = ["--after", page["next_after"]]
    _, out, _ = irp("loi", "list", "--json", db=demo_db)
    assert seen == [row["id"] for row in json.loads(out)["lois"]] and len(seen) == 26
    code, _, err = irp("loi", "list", "--after", "bm9wZQ", db=demo_db)
    assert code == 1 and "cursor" in err and err.count("\n") == 1


def test_follow_ups_queue_add_done(demo_db: str) -> None:
    code, out, _ = irp("followups", "--overdue", "--json", db=demo_db)
    data = json.loads(out)
    assert code == 0 and data["overdue"] == 3 and {f["urgency"] for f in data["follow_ups"]} == {"overdue"}
    first = data["follow_ups"][0]["id"]
    assert irp("followup", "done", str(first), "--note", "sent", db=demo_db)[0] == 0
    _, out, _ = irp("followups", "--overdue", "--json", db=demo_db)
    assert json.loads(out)["overdue"] == 2
    code, _, err = irp("followup", "done", str(first), db=demo_db)
    assert code == 1 and "already done" in err
    code, out, _ = irp(
        "followup", "add", "--deal", "2", "--due", "+3d", "--note", "call back", "--json", db=demo_db
    )
    assert code == 0 and json.loads(out)["due_on"] == "2018-10-13"  # three days after the demo's day
    _, out, _ = irp("followups", "--due-within", "3", "--json", db=demo_db)
    assert any(f["note"] == "call back" for f in json.loads(out)["follow_ups"])


def test_roles_from_the_command_line(demo_db: str) -> None:
    _, out, _ = irp("--as", "greengrid", "deal", "list", "--json", db=demo_db)
    assert {d["startup"] for d in json.loads(out)["deals"]} == {"GreenGrid (demo)"}
    code, _, err = irp("--as", "manager", "deal", "move", "2", "diligence", db=demo_db)
    assert code == 1 and "only staff" in err
    code, _, err = irp("--as", "greengrid", "deal", "show", "6", db=demo_db)
    assert code == 1 and "no deal #6" in err
    code, _, err = irp("--as", "ghost", "funnel", db=demo_db)
    assert code == 1 and "no user named 'ghost'" in err


def test_records_commands(sqlite_url: str) -> None:
    assert irp("event", "add", "Seoul Demo Day", "--starts", "2026.12.01", db=sqlite_url)[0] == 0
    assert irp("startup", "add", "(주)테스트랩", "--business-no", "1018100001", db=sqlite_url)[0] == 0
    assert irp("investor", "add", "Alpha VC", "--kind", "cvc", db=sqlite_url)[0] == 0
    assert (
        irp("contact", "add", "Lee", "--investor", "alpha", "--email", "lee@alpha.example", db=sqlite_url)[0]
        == 0
    )
    assert irp("pitch", "add", "--event", "seoul demo", "--startup", "테스트랩", db=sqlite_url)[0] == 0
    code, _, err = irp("startup", "add", "테스트랩 주식회사", db=sqlite_url)
    assert code == 1 and "already exists" in err
    for kind in ("event", "startup", "investor", "contact"):
        code, out, _ = irp(kind, "list", "--json", db=sqlite_url)
        assert code == 0 and len(json.loads(out)) == 1


def test_usage_errors_exit_2(sqlite_url: str) -> None:
    assert irp("deal", "move", db=sqlite_url)[0] == 2
    assert irp("no-such-command", db=sqlite_url)[0] == 2
    assert irp("deal", "show", "not-a-number", db=sqlite_url)[0] == 2


def test_a_locked_database_is_a_clear_error(demo_db: str) -> None:
    path = demo_db.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, timeout=0)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        import ir_pipeline.db as db

        original = db.SQLITE_BUSY_TIMEOUT_MS
        db.SQLITE_BUSY_TIMEOUT_MS = 50  # do not wait five seconds in a test
        try:
            code, _, err = irp("deal", "move", "2", "diligence", db=demo_db)
        finally:
            db.SQLITE_BUSY_TIMEOUT_MS = original
    finally:
        holder.rollback()
        holder.close()
    assert code == 1 and "locked" in err and err.count("\n") == 1
    _, out, _ = irp("deal", "show", "2", "--json", db=demo_db)
    assert json.loads(out)["deal"]["stage"] == "loi"


def test_a_database_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = irp("funnel", db=f"sqlite:///{blocker}/irp.sqlite3")
    assert code == 1 and err.startswith("irp: cannot") and err.count("\n") == 1


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("this is a text file, not SQLite " * 100)
    code, _, err = irp("funnel", db=f"sqlite:///{bogus}")
    assert code == 1 and "not a database" in err


def test_an_unreachable_server_is_a_clear_error() -> None:
    code, _, err = irp("funnel", db="postgresql://tester@127.0.0.1:1/none?connect_timeout=2")
    assert code == 1 and err.startswith(
        "irp: cannot use the database postgresql+psycopg://tester@127.0.0.1:1/none"
    )


def test_db_commands(sqlite_url: str, tmp_path: Path) -> None:
    code, out, _ = irp("db", "current", "--json", db=sqlite_url)
    assert code == 0 and json.loads(out)["up_to_date"] is True
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    _, out, _ = irp("db", "current", "--json", db=fresh)
    assert json.loads(out)["current"] == []
    assert irp("db", "upgrade", db=fresh)[0] == 0
    assert irp("db", "downgrade", "base", db=fresh)[0] == 1  # no terminal, no --yes: refused
    assert irp("db", "downgrade", "base", "--yes", db=fresh)[0] == 0
    code, _, err = irp("db", "downgrade", "nonsense", "--yes", db=fresh)
    assert code == 1 and "cannot downgrade" in err


@pytest.mark.postgres
def test_demo_and_funnel_on_postgresql(pg_db: str) -> None:
    """The owner loads the demo (it records users); the staff login reads the funnel."""
    from tests.conftest import as_owner, owner_url

    code, _, err = irp("demo", db=pg_db)
    assert code == 1 and "tester cannot load the demo: only the owner" in err  # it records users
    with as_owner():
        assert irp("demo", db=owner_url(pg_db))[0] == 0
    _, out, _ = irp("funnel", "--json", db=pg_db)
    data = json.loads(out)
    assert (data["lois"]["count"], data["lois"]["startups"], data["lois"]["total"]) == (
        26,
        8,
        {"KRW": "17150000000"},
    )


def test_import_export_and_report_commands(demo_db: str, tmp_path: Path) -> None:
    lois = tmp_path / "lois.csv"
    code, _, err = irp("export", "lois", "--out", str(lois), db=demo_db)
    assert code == 0 and "26 rows (lois) written" in err
    code, out, _ = irp("import", "lois", str(lois), "--dry-run", "--json", db=demo_db)
    data = json.loads(out)
    assert code == 0 and (data["rows"], data["created"], data["skipped"], data["dry_run"]) == (
        26,
        0,
        26,
        True,
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "기업명,투자사,금액\n"
        "GreenGrid (demo),Hanbit Ventures (demo),minus\n"
        "Nobody,Hanbit Ventures (demo),1억\n"
    )
    code, out, err = irp("import", "lois", str(bad), db=demo_db)
    assert code == 1
    assert "line 2, column 금액" in out and "line 3, column 기업명" in out
    assert err.strip() == "irp: bad.csv: 2 problems in 2 rows; nothing was imported"
    assert irp("import", "tulips", str(bad), db=demo_db)[0] == 2
    code, _, err = irp("import", "lois", str(tmp_path / "missing.csv"), db=demo_db)
    assert code == 1 and "no such file" in err
    code, _, err = irp("export", "lois", "--format", "xlsx", db=demo_db)
    assert code == 1 and "needs --out" in err
    report = tmp_path / "event.html"
    code, _, _ = irp("report", "event", "WSCW 2018", "--format", "html", "--out", str(report), db=demo_db)
    assert code == 0 and "26건 · 8개사 · 171억 5천만 원" in report.read_text(encoding="utf-8")
    code, out, _ = irp("--as", "greengrid", "report", "startup", "greengrid", db=demo_db)
    assert code == 0 and out.startswith("# GreenGrid (demo)")
    code, _, err = irp("--as", "greengrid", "report", "startup", "mobility lab", db=demo_db)
    assert code == 1


def test_files_that_cannot_be_read_or_written_are_one_line(demo_db: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    for argv in (
        ("export", "lois", "--out", str(missing / "lois.csv")),
        ("export", "lois", "--format", "xlsx", "--out", str(missing / "lois.xlsx")),
        ("report", "event", "WSCW", "--format", "html", "--out", str(tmp_path)),
        ("import", "lois", str(missing / "lois.csv")),
    ):
        code, _, err = irp(*argv, db=demo_db)
        assert code == 1 and err.startswith("irp: ") and err.count("\n") == 1, (argv, err)


def test_data_on_a_terminal_shows_control_characters_and_a_pipe_gets_them_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import sys

    from ir_pipeline.cli.output import standard_output

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", terminal)
    standard_output().write("name\r\nEvil\x1b]0;owned\x07\r\n")
    assert terminal.getvalue() == "name\r\nEvil\\x1b]0;owned\\x07\r\n"
    monkeypatch.setattr(sys, "stdout", pipe)
    standard_output().write("Evil\x1b")
    assert pipe.getvalue() == "Evil\x1b"  # an export into a file or pipe is the data itself


def test_a_markdown_report_on_the_terminal_has_no_base64_chart(demo_db: str, tmp_path: Path) -> None:
    code, out, _ = irp("report", "event", "WSCW", db=demo_db)
    assert code == 0 and "base64" not in out and "| Stage |" in out
    target = tmp_path / "wscw.md"
    code, _, err = irp("report", "event", "WSCW", "--out", str(target), db=demo_db)
    assert code == 0 and str(target) in err
    text = target.read_text(encoding="utf-8")  # a file links its chart, written beside it
    assert "base64" not in text and "![Deals by stage](wscw.chart.svg)" in text
    assert (tmp_path / "wscw.chart.svg").read_text(encoding="utf-8").startswith("<svg")


def test_funnel_shows_the_money_received_and_never_cuts_a_figure(demo_db: str) -> None:
    code, out, _ = irp("funnel", db=demo_db)
    assert code == 0 and "Funded: ₩2,000,000,000 · 20억 원 from 1 deal (11.7% of the KRW LOI amount)" in out
    assert "Lost here" in out and "₩8,700,000,000" in out  # piped: as wide as needed, nothing cut
    data = json.loads(irp("funnel", "--json", db=demo_db)[1])
    assert data["funded"]["total"] == {"KRW": "2000000000"}


def test_the_command_list_matches_the_commands_themselves() -> None:
    """``irp --help`` lists the subcommands without importing them: each line must be theirs."""
    from ir_pipeline.cli.lazy import COMMANDS, load

    for entry in COMMANDS:
        command = load(entry)
        own = (command.help or "").strip().splitlines()[0]
        assert entry.help == own, entry.name


def test_help_starts_without_the_database_layer() -> None:
    """A fast start by construction: ``irp --help`` imports neither SQLAlchemy, Alembic nor Textual
    (the time itself is measured in bench/, not here)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from ir_pipeline.cli.main import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0 and 'funnel' in result.stdout, result.stdout\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'textual', 'babel') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "", f"imported for --help: {done.stdout.strip()}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["deal", "open", "--startup", "", "--investor", ""], "name both the startup and the investor"),
        (
            ["deal", "open", "--startup", "GreenGrid", "--investor", " "],
            "name both the startup and the investor",
        ),
        (["pitch", "add", "--event", "", "--startup", ""], "name both the event and the startup"),
    ],
)
def test_empty_names_are_refused_in_one_line(demo_db: str, argv: list[str], message: str) -> None:
    """Found by the CLI fuzzer: an empty name fell through to an assertion."""
    code, _, err = irp(*argv, db=demo_db)
    assert code == 1 and message in err and err.count("\n") == 1


def test_a_startup_user_for_a_startup_not_there_yet(sqlite_url: str) -> None:
    """The set-up in order: the user's startup may not exist yet; irp says how, or makes it."""
    code, _, err = irp("user", "add", "gg", "--role", "startup", "--startup", "GreenGrid", db=sqlite_url)
    assert code == 1 and err.count("\n") == 1
    assert "--new-startup" in err and "irp startup add GreenGrid" in err
    code, out, err = irp(
        "user", "add", "gg", "--role", "startup", "--startup", "GreenGrid", "--new-startup", db=sqlite_url
    )
    assert code == 0, err
    code, out, _ = irp("user", "list", "--json", db=sqlite_url)
    assert [u["startup"] for u in json.loads(out) if u["name"] == "gg"] == ["GreenGrid"]
    given = runner.invoke(app, ["--db", sqlite_url, "user", "login", "gg", "--password-stdin"], input="pw\n")
    assert given.exit_code == 1 and "has no logins" in given.stderr  # SQLite has none to give
