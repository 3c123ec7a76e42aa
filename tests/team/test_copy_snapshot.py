"""``db copy`` reads its source as one snapshot: a writer working meanwhile neither breaks the
copy nor slips half its work in; the copy says what changed in the source while it ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.dbcopy import copy_database
from ir_pipeline.drafts import InvestorDraft
from ir_pipeline.services import records
from tests.conftest import STAFF, as_owner, fresh_sqlite_url, owner_url, refill_pg

pytestmark = [pytest.mark.postgres, pytest.mark.owner]  # `irp db copy` is the owner's work


def _copy_with_a_writer(source_url: str, target_url: str) -> tuple[int, dict[str, int], int]:
    source, target, writer = make_engine(source_url), make_engine(target_url), make_engine(source_url)
    wrote: list[int] = []

    def meanwhile(table: str, _copied: int) -> None:
        if table == "startup" and not wrote:  # half-way: someone adds an investor, and commits
            with unit_of_work(writer) as session:
                made = records.create_investor(session, actor=STAFF, draft=InvestorDraft(name="Late Capital"))
                wrote.append(made.id)

    try:
        report = copy_database(source, target, progress=meanwhile)
        with target.connect() as c:
            late = c.exec_driver_sql("SELECT count(*) FROM investor WHERE name = 'Late Capital'").scalar_one()
    finally:
        for engine in (source, target, writer):
            engine.dispose()
    assert wrote and report.as_of is not None
    return int(late), report.changed_meanwhile, report.counts["investor"]


def test_sqlite_to_postgresql_with_a_writer(
    sqlite_demo_template: Path, tmp_path: Path, empty_pg_url: str
) -> None:
    from ir_pipeline.migrate import upgrade

    with as_owner():
        engine = make_engine(empty_pg_url)
        upgrade(engine)
        engine.dispose()
    late, changed, investors = _copy_with_a_writer(
        fresh_sqlite_url(sqlite_demo_template, tmp_path), empty_pg_url
    )
    assert late == 0 and investors == 12  # the snapshot: without the late investor
    assert changed.get("investor") == 1 and "audit_log" in changed


def test_postgresql_to_sqlite_with_a_writer(
    pg_db: str, sqlite_url: str, request: pytest.FixtureRequest
) -> None:
    """Read committed would see each table at another moment and the check would refuse the
    copy; one repeatable-read snapshot copies the source as it was."""
    refill_pg(request.getfixturevalue("pg_demo_template"), pg_db.rsplit("/", 1)[1])
    late, changed, investors = _copy_with_a_writer(owner_url(pg_db), sqlite_url)
    assert late == 0 and investors == 12
    assert changed.get("investor") == 1
