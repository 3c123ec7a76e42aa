"""Follow-up calendars as khal, a real calendar program, reads them: successive exports are
imported into one khal calendar, and what khal then lists is asserted. A follow-up done or
cancelled after an import shows up cancelled (not still live); two databases never replace each
other's events; ``irp db copy`` keeps a database's events its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.real_programs import needs, run
from tests.test_cli import irp

pytestmark = needs("khal")

CONFIG = """[calendars]
[[irp]]
path = {path}
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
[default]
default_calendar = irp
"""


class Khal:
    def __init__(self, home: Path) -> None:
        (home / "calendar").mkdir(parents=True)
        self.config = home / "khal.conf"
        self.config.write_text(CONFIG.format(path=home / "calendar"))
        self.env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}

    def import_(self, ics: Path) -> None:
        run("khal", "-c", str(self.config), "import", "--batch", "-a", "irp", str(ics), env=self.env)

    def events(self) -> dict[str, tuple[str, str]]:
        """What khal lists around the demo's days: uid → (status, title)."""
        out = run(
            "khal", "-c", str(self.config), "list", "--once", "--day-format", "",
            "--format", "{uid}\t{status}\t{title}", "2018-08-01", "2019-01-31", env=self.env,
        )  # fmt: skip
        listed: dict[str, tuple[str, str]] = {}
        for line in filter(None, out.splitlines()):
            uid, status, title = line.split("\t")
            assert uid not in listed, f"khal lists {uid} twice"
            listed[uid] = (status.strip(), title)
        return listed


def export(db: str, path: Path) -> Path:
    code, _out, err = irp("export", "followups", "--format", "ics", "--out", str(path), db=db)
    assert code == 0, err
    return path


def new_demo(path: Path) -> str:
    url = f"sqlite:///{path}"
    code, _out, err = irp("demo", db=url)
    assert code == 0, err
    return url


def numbered(events: dict[str, tuple[str, str]], n: int) -> dict[str, tuple[str, str]]:
    return {uid: e for uid, e in events.items() if uid.startswith(f"irp-followup-{n}.")}


def test_done_and_cancelled_follow_ups_show_cancelled_after_the_next_import(tmp_path: Path) -> None:
    db = new_demo(tmp_path / "a.db")
    khal = Khal(tmp_path / "khal")
    khal.import_(export(db, tmp_path / "first.ics"))
    first = khal.events()
    (four,) = numbered(first, 4).values()
    (six,) = numbered(first, 6).values()
    assert four[0] == six[0] == "CONFIRMED"
    assert irp("followup", "done", "4", db=db)[0] == 0
    assert irp("followup", "cancel", "6", db=db)[0] == 0
    khal.import_(export(db, tmp_path / "second.ics"))
    second = khal.events()
    assert set(second) == set(first)  # updated in place: no copies, none lost
    (four,) = numbered(second, 4).values()
    (six,) = numbered(second, 6).values()
    assert four == ("CANCELLED", four[1]) and four[1].startswith("Done: Follow-up: ")
    assert six == ("CANCELLED", six[1]) and six[1].startswith("Cancelled: Follow-up: ")
    live = [uid for uid, (status, _) in second.items() if status != "CANCELLED"]
    assert len(live) == len(first) - 2 - sum(1 for s, _ in first.values() if s == "CANCELLED")


def test_two_databases_never_replace_each_others_events_and_a_copy_keeps_its_own(tmp_path: Path) -> None:
    first_db = new_demo(tmp_path / "a.db")
    second_db = new_demo(tmp_path / "b.db")
    assert irp("followup", "snooze", "1", "--to", "2018-10-30", db=second_db)[0] == 0
    khal = Khal(tmp_path / "khal")
    khal.import_(export(first_db, tmp_path / "a.ics"))
    alone = khal.events()
    khal.import_(export(second_db, tmp_path / "b.ics"))
    both = khal.events()
    assert len(both) == 2 * len(alone)
    assert {uid: both[uid] for uid in alone} == alone  # the first database's #1 untouched
    assert len(numbered(both, 1)) == 2

    copy = tmp_path / "copy.db"
    assert irp("db", "upgrade", db=f"sqlite:///{copy}")[0] == 0
    code, _out, err = irp("db", "copy", "--to", f"sqlite:///{copy}", db=first_db)
    assert code == 0, err
    khal.import_(export(f"sqlite:///{copy}", tmp_path / "copy.ics"))
    assert khal.events() == both  # the copy's events are the first database's own


@pytest.mark.parametrize("role", ["manager"])
def test_every_reader_gets_the_same_uids(tmp_path: Path, role: str) -> None:
    db = new_demo(tmp_path / "a.db")
    staff = export(db, tmp_path / "staff.ics").read_text()
    code, out, err = irp("--as", role, "followups", "--ics", db=db)
    assert code == 0, err
    uids = sorted(line for line in staff.splitlines() if line.startswith("UID:"))
    assert uids == sorted(line for line in out.splitlines() if line.startswith("UID:"))
