"""Every option of every command, fuzzed: the command lines are built from ``irp``'s own command
tree, so an option added tomorrow is fuzzed tomorrow (or this test fails until it has a value
strategy). Each value is drawn by what the option means: ids and counts of any size, amounts
in every form, dates, hostile text, paths inside the test's directory.

The answer is always 0, 1 (one ``irp:`` line, nothing written) or 2 (usage), on SQLite and on
PostgreSQL as the staff login, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import chdir
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.core import TyperGroup

from ir_pipeline.cli.lazy import COMMANDS, load
from tests.test_fuzz_cli import AMOUNT, DATE, FUZZ, ID, TEXT, check_answer, counts

#: Not fuzzed here, each for its reason: the UI takes the terminal; delivery, a notice test and a
#: rates update go to the network (their hostile servers are tests of their own); a downgrade
#: and a restore replace the schema or the whole database by design (their refusals are tested
#: in test_restore_damaged and test_migrations). The share server runs until it is stopped
#: (tests/web serves it on a free port).
SKIPPED = {
    ("tui",),
    ("serve",),
    ("notify", "deliver"),
    ("notify", "test"),
    ("fx", "update"),
    ("db", "downgrade"),
    ("db", "restore"),
}

#: Options every Typer command has, about the shell rather than irp.
_SHELL = {"install_completion", "show_completion"}

COUNT = st.one_of(ID, st.integers(min_value=-5, max_value=10**12).map(str))
CHOICE_WORDS = st.sampled_from(
    [
        "loi",
        "lost",
        "funded",
        "diligence",
        "staff",
        "manager",
        "startup",
        "csv",
        "xlsx",
        "json",
        "md",
        "html",
        "lois",
        "startups",
        "deals",
        "KRW",
        "USD",
        "EUR",
        "rcps",
        "common",
        "preferred",
        "slack",
        "teams",
        "standard",
        "amount",
        "stage",
        "converted",
        "expired",
        "head",
        "base",
    ]
)
WORD = st.one_of(TEXT, CHOICE_WORDS)


def _path(directory: Path) -> st.SearchStrategy[str]:
    """A path as typed: a file that exists, one that does not, a directory, hostile names, all
    inside ``directory`` (the fuzz writes nowhere else)."""
    existing = directory / "existing.csv"
    existing.write_text("name\nFuzz Co\n", encoding="utf-8")
    names = st.sampled_from(["out.csv", "out.xlsx", "out.json", "out.md", "out.html", "b.sqlite3", "-", ""])
    return st.one_of(
        st.just(str(existing)),
        st.just(str(directory)),
        names.map(lambda n: str(directory / n) if n not in ("-", "") else n),
        TEXT.map(lambda t: str(directory / t.replace("/", "_").replace("\x00", "")[:80])),
    )


def value_for(name: str, directory: Path) -> st.SearchStrategy[str]:
    """What a person might type for the option or argument ``name``."""
    if name.endswith("_id") or name in {"deal", "delivery", "if_version", "after", "before"}:
        return ID
    if name in {"limit", "offset", "due_within", "expiring_days", "senders", "every"}:
        return COUNT
    if name in {"amount", "upper", "amount_max", "rate"}:
        return AMOUNT
    if name in {
        "received",
        "valid_until",
        "closed",
        "due",
        "to",
        "starts",
        "ends",
        "since",
        "day",
        "start",
        "end",
    }:
        return DATE
    if name in {"file", "out", "path"}:
        return _path(directory)
    if name == "encoding":
        return st.one_of(
            WORD,
            st.sampled_from(["utf-16", "utf-8-sig", "cp949", "euc-kr", "rot13", "base64", "zlib", "latin-1"]),
        )
    if name == "url":
        return st.one_of(
            TEXT,
            st.sampled_from(["http://127.0.0.1:1/hook", "https://example.invalid/h", "file:///etc/passwd"]),
        )
    if name in {"from_"}:
        return st.one_of(TEXT, st.just(f"sqlite:///{directory / 'from.sqlite3'}"))
    return WORD


def _leaves(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path, command


@cache
def every_command() -> tuple[tuple[tuple[str, ...], Any], ...]:
    found = [leaf for entry in COMMANDS for leaf in _leaves(load(entry), (entry.name,))]
    return tuple((path, command) for path, command in found if path not in SKIPPED)


@st.composite
def command_line(draw: st.DrawFn, directory: Path) -> list[str]:
    """One command from the tree, each of its parameters present or not, each value drawn."""
    path, command = draw(st.sampled_from(every_command()))
    argv = list(path)
    options: list[str] = []
    for param in command.params:
        if param.name in _SHELL or (path == ("notify", "deliver") and param.name == "watch"):
            continue
        if param.param_type_name == "argument":
            argv.append(draw(value_for(param.name, directory)))
        elif not draw(st.booleans()):
            continue
        elif param.is_flag:
            options.append(param.opts[0])
        else:
            options += [draw(st.sampled_from(param.opts)), draw(value_for(param.name, directory))]
    return argv + options


def test_every_option_has_a_value_strategy(tmp_path: Path) -> None:
    """The generator knows every command and every option (a new one fails here until it is
    given a strategy, or until it is named in SKIPPED with its reason)."""
    seen = {param.name for _, command in every_command() for param in command.params}
    assert len(every_command()) >= 60
    assert {"deal_id", "if_version", "amount", "received", "file", "encoding", "fmt"} <= seen
    for name in seen - _SHELL:
        assert value_for(name, tmp_path) is not None


@FUZZ
@given(data=st.data())
def test_every_option_of_every_command_is_an_answer(
    demo_db_url: str, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    argv = data.draw(command_line(directory), label="argv")
    with chdir(directory):  # a relative name ('-', a hostile one) lands in the test's directory
        check_answer(argv, demo_db_url, counts(demo_db_url))
