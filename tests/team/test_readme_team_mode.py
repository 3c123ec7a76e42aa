"""The README's Team mode set-up, run as written on a PostgreSQL cluster of the test's own.

The shared server on this machine trusts every local connection, so passwords would never be
exercised there: this test makes a throwaway cluster with ``initdb`` (``scram-sha-256`` for every
connection) on a free 127.0.0.1 port, runs the README's set-up block in bash (only its example host
name replaced), and then checks what a new team would: three people connect with their passwords,
a wrong one is refused, ``--as`` is refused, and a startup's raw SQL reads only its own rows and
never an internal note.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {"OWNER_PW": "owner-Secret-1", "ALICE_PW": "alice-Secret-2", "BORA_PW": "bora-Secret-3"}
PASSWORDS["GG_PW"] = "gg-Secret-4"
SUPER_PW = "super-Secret-0"
MARK_INTERNAL = "INTERNAL-MARK-7f3a"
MARK_SHARED = "SHARED-MARK-19bc"


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


def setup_block() -> str:
    """The README's set-up block, found by its marker: the commands people copy."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- team-setup[^>]*-->\n```sh\n(.*?)```", text, re.S)
    assert match, "README.md has no team-setup block"
    return match.group(1)


@dataclass
class Cluster:
    port: int
    env: dict[str, str]

    def irp(self, *args: str, password: str | None, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {**self.env, **({"PGPASSWORD": password} if password is not None else {})}
        return subprocess.run(
            [str(Path(sys.executable).parent / "irp"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    def psql(self, user: str, password: str, sql: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                _bin("psql") or "psql",
                "-X",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                user,
                "-d",
                "irp",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            env={**self.env, "PGPASSWORD": password},
            timeout=60,
        )

    def url(self, login: str) -> str:
        return f"postgresql://{login}@127.0.0.1:{self.port}/irp"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl and _bin("psql")):
        pytest.skip("initdb, pg_ctl or psql is not installed: no cluster of our own to start")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="irp-cluster-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: the cluster is the postgres user's
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to own a cluster")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, pwfile = folder / "data", folder / "pw"
    pwfile.write_text(SUPER_PW)
    os.chmod(pwfile, 0o644)
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}", "--auth=scram-sha-256"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "IRP_DATABASE_URL", "IRP_USER"))
    }
    env.update(PGHOST="127.0.0.1", PGPORT=str(port), IRP_DATA_DIR=str(folder / "irp-data"), HOME=str(folder))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    try:
        yield Cluster(port, env)
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def team(cluster: Cluster) -> Cluster:
    """The README's block, run once in bash with ``set -e``: every command must succeed."""
    script = "set -euo pipefail\n" + setup_block().replace("db.example.org", "127.0.0.1")
    env = {**cluster.env, **PASSWORDS, "PGPASSWORD": SUPER_PW}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, f"the README's set-up failed:\n{done.stdout}\n{done.stderr}"
    return cluster


def test_the_readme_block_connects_three_people_with_passwords(team: Cluster) -> None:
    for login, key, args in (
        ("alice", "ALICE_PW", ["deal", "list", "--json"]),
        ("bora", "BORA_PW", ["funnel", "--json"]),
        ("greengrid", "GG_PW", ["deal", "list", "--json"]),
    ):
        done = team.irp("--db", team.url(login), *args, password=PASSWORDS[key])
        assert done.returncode == 0, (login, done.stderr)


def test_a_wrong_password_or_none_is_refused(team: Cluster) -> None:
    wrong = team.irp("--db", team.url("alice"), "deal", "list", password="not-hers")
    assert wrong.returncode == 1
    assert "password authentication failed" in wrong.stderr and "Traceback" not in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
    none = team.irp("--db", team.url("alice"), "deal", "list", password=None)
    assert none.returncode == 1 and "Traceback" not in none.stderr


def test_as_is_refused_on_the_team_database(team: Cluster) -> None:
    done = team.irp(
        "--db", team.url("greengrid"), "--as", "alice", "deal", "list", password=PASSWORDS["GG_PW"]
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "impersonat" in done.stderr or "--as" in done.stderr


def test_staff_get_one_sentence_for_admin_commands(team: Cluster) -> None:
    done = team.irp(
        "--db", team.url("alice"), "user", "add", "mallory", "--role", "staff", password=PASSWORDS["ALICE_PW"]
    )
    assert done.returncode == 1
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "irp_owner" in line and "cannot add users" in line


def test_a_startups_raw_sql_reads_its_own_rows_and_no_internal_note(team: Cluster) -> None:
    alice = PASSWORDS["ALICE_PW"]

    def staff(*args: str, stdin: str = "") -> str:
        done = team.irp("--db", team.url("alice"), *args, password=alice, stdin=stdin)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    staff("startup", "add", "OtherCo")
    staff("investor", "add", "Seoul Angels")
    for startup, investor in (("GreenGrid", "Seoul Angels"), ("OtherCo", "Seoul Angels")):
        staff(
            "loi",
            "add",
            "--startup",
            startup,
            "--investor",
            investor,
            "--amount",
            "1억",
            "--received",
            "2026-11-01",
        )
    listed = team.irp("--db", team.url("alice"), "deal", "list", "--json", password=alice)
    deals = {d["startup"]: d["id"] for d in json.loads(listed.stdout)["deals"]}
    mine = str(deals["GreenGrid"])
    staff("followup", "add", "--deal", mine, "--due", "+3d", "--note", f"founder unsure {MARK_INTERNAL}")
    staff(
        "followup",
        "add",
        "--deal",
        mine,
        "--due",
        "+4d",
        "--note",
        f"send the deck {MARK_SHARED}",
        "--shared",
    )
    staff("followup", "add", "--deal", str(deals["OtherCo"]), "--due", "+3d", "--note", "other company")
    staff("deal", "edit", mine, "--notes", f"valuation gap {MARK_INTERNAL}")

    gg = PASSWORDS["GG_PW"]
    refused = team.psql("greengrid", gg, "SELECT note FROM follow_up")
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    for sql in ("SELECT * FROM follow_up", "SELECT notes FROM deal", "SELECT reason FROM stage_change"):
        assert "permission denied" in team.psql("greengrid", gg, sql).stderr, sql
    rows = team.psql("greengrid", gg, "SELECT deal_id, shared_note FROM follow_up ORDER BY id")
    assert rows.returncode == 0, rows.stderr
    assert {line.split("|")[0] for line in rows.stdout.splitlines()} == {mine}
    assert MARK_SHARED in rows.stdout and MARK_INTERNAL not in rows.stdout
    names = team.psql("greengrid", gg, "SELECT name FROM startup")
    assert names.stdout.splitlines() == ["GreenGrid"]
    whole = team.psql("greengrid", gg, "SELECT id, startup_id, shared_notes FROM deal")
    assert whole.stdout.strip() == f"{mine}|{whole.stdout.split('|')[1]}|"
    # and the same through irp, as that startup
    shown = team.irp("--db", team.url("greengrid"), "deal", "show", mine, "--json", password=gg)
    assert shown.returncode == 0 and MARK_SHARED in shown.stdout and MARK_INTERNAL not in shown.stdout


def test_a_copied_user_gets_a_login(team: Cluster, tmp_path: Path) -> None:
    """Users that came in by ``irp db copy`` have no login: ``irp user login`` gives one."""
    owner = PASSWORDS["OWNER_PW"]
    source = f"sqlite:///{tmp_path / 'solo.sqlite3'}"
    for args in (["demo"], ["user", "add", "minji", "--role", "staff"]):
        assert team.irp("--db", source, *args, password=None).returncode == 0
    made = subprocess.run(
        [
            _bin("psql") or "psql",
            "-X",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            "CREATE DATABASE irp2 OWNER irp_owner",
        ],
        capture_output=True,
        text=True,
        env={**team.env, "PGPASSWORD": SUPER_PW},
    )
    assert made.returncode == 0, made.stderr
    target = f"postgresql://irp_owner@127.0.0.1:{team.port}/irp2"
    assert team.irp("--db", target, "db", "upgrade", password=owner).returncode == 0
    copied = team.irp("--db", source, "db", "copy", "--to", target, password=owner)
    assert copied.returncode == 0, copied.stderr
    assert "irp user login NAME --password-stdin" in copied.stdout and "minji" in copied.stdout
    given = team.irp(
        "--db", target, "user", "login", "minji", "--password-stdin", password=owner, stdin="minji-Pw-5\n"
    )
    assert given.returncode == 0, given.stderr
    url = f"postgresql://minji@127.0.0.1:{team.port}/irp2"
    subprocess.run(
        [
            _bin("psql") or "psql",
            "-X",
            "-U",
            "irp_owner",
            "-d",
            "irp2",
            "-c",
            "GRANT CONNECT ON DATABASE irp2 TO irp_staff",
        ],
        capture_output=True,
        env={**team.env, "PGPASSWORD": owner},
        check=True,
    )
    assert team.irp("--db", url, "deal", "list", password="minji-Pw-5").returncode == 0
