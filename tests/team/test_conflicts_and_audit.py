"""Stale edits are refused with who changed what; every change leaves an append-only trail."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ir_pipeline.cli.main import app
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.errors import EditConflict
from ir_pipeline.money import Money
from ir_pipeline.queries.audit import list_audit
from ir_pipeline.queries.lois import get_loi
from ir_pipeline.services import lois
from ir_pipeline.stages import Stage
from tests.conftest import MANAGER, STAFF, People
from tests.helpers import add_loi, loi, seed


def test_the_second_of_two_edits_gets_a_conflict_naming_the_first(engine: Engine, people: People) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    loi_id = add_loi(engine, STAFF, s.deal_id, "3억")
    (as_alice, alice), (as_bob, bob) = people("alice"), people("bob")
    with read_only(engine) as session:
        seen_by_alice = get_loi(session, actor=alice, loi_id=loi_id)
        seen_by_bob = get_loi(session, actor=bob, loi_id=loi_id)
    with unit_of_work(as_alice) as session:
        lois.update_loi(
            session,
            actor=alice,
            loi_id=loi_id,
            draft=loi("4억"),
            expected_version=seen_by_alice.version,
        )
    with (
        pytest.raises(EditConflict, match=rf"{alice.name} changed amount") as caught,
        unit_of_work(as_bob) as session,
    ):
        lois.update_loi(
            session, actor=bob, loi_id=loi_id, draft=loi("5억"), expected_version=seen_by_bob.version
        )
    assert caught.value.exit_code == 3
    with read_only(engine) as session:
        kept = get_loi(session, actor=STAFF, loi_id=loi_id)
    assert kept.amount == Money.parse("4억") and kept.version == seen_by_alice.version + 1


def test_every_change_is_audited_with_who_old_and_new(engine: Engine, people: People) -> None:
    (as_tester, tester), (as_alice, alice) = people("tester"), people("alice")
    s = seed(as_tester, tester, stage=Stage.LOI)
    loi_id = add_loi(as_tester, tester, s.deal_id, "3억")
    with unit_of_work(as_alice) as session:
        lois.update_loi(session, actor=alice, loi_id=loi_id, draft=loi("4억", conditions="board"))
    with read_only(engine) as session:
        trail = list_audit(session, actor=MANAGER, deal_id=s.deal_id)
    changes = {(a.actor, a.table, a.field, a.old_value, a.new_value) for a in trail if a.action == "update"}
    assert (alice.name, "letter_of_intent", "amount_minor", "300000000", "400000000") in changes
    assert (alice.name, "letter_of_intent", "conditions", "", "board") in changes
    inserted = {(a.actor, a.table) for a in trail if a.action == "insert"}
    assert (tester.name, "letter_of_intent") in inserted and (tester.name, "deal") in inserted
    with read_only(engine) as session:
        assert list_audit(session, actor=MANAGER, user=alice.name, limit=1)[0].actor == alice.name
        first_page = list_audit(session, actor=MANAGER, limit=2)
        next_page = list_audit(session, actor=MANAGER, limit=2, before_id=first_page[-1].id)
    assert {a.id for a in first_page}.isdisjoint(a.id for a in next_page)


def test_a_failed_change_leaves_no_trail(engine: Engine) -> None:
    s = seed(engine, STAFF, stage=Stage.LOI)
    with read_only(engine) as session:
        before = len(list_audit(session, actor=MANAGER, limit=10_000))
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        lois.add_loi(session, actor=STAFF, deal_id=s.deal_id, draft=loi("3억"))
        raise RuntimeError("the user's action fails after the write")
    with read_only(engine) as session:
        assert len(list_audit(session, actor=MANAGER, limit=10_000)) == before


runner = CliRunner()


def irp(*args: str, db: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_loi_show_and_edit_with_if_version(sqlite_url: str) -> None:
    assert irp("demo", db=sqlite_url)[0] == 0
    code, out, _ = irp("loi", "show", "1", "--json", db=sqlite_url)
    shown = json.loads(out)
    assert code == 0 and shown["version"] >= 1
    version = shown["version"]
    code, out, err = irp("loi", "edit", "1", "--amount", "12억", "--if-version", str(version), db=sqlite_url)
    assert code == 0, err
    code, _, err = irp(
        "loi", "edit", "1", "--conditions", "late", "--if-version", str(version), db=sqlite_url
    )
    assert code == 3 and err.count("\n") == 1 and "changed amount" in err
    code, out, _ = irp("loi", "show", "1", "--json", db=sqlite_url)
    after = json.loads(out)
    assert after["amount"]["amount"] == "1200000000" and after["conditions"] == shown["conditions"] != "late"
    code, out, _ = irp("audit", "--json", "--limit", "3", db=sqlite_url)
    assert code == 0 and any(r["field"] == "amount_minor" for r in json.loads(out))
    code, _, err = irp("--as", "greengrid", "audit", db=sqlite_url)
    assert code == 1 and "cannot read the audit trail" in err


def test_the_sqlite_audit_trail_refuses_updates_and_deletes(sqlite_url: str) -> None:
    assert irp("demo", db=sqlite_url)[0] == 0
    con = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(statement)
    finally:
        con.close()
