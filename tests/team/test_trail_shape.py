"""The trail the database writes on PostgreSQL has the shape of the one irp writes on SQLite:
the same rows for the same changes (one per record inserted, one per column changed, one per
rate snapshot), whoever writes them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, read_only, unit_of_work
from ir_pipeline.fx import service as fx
from ir_pipeline.models import AuditEntry
from ir_pipeline.services import deals, lois
from ir_pipeline.stages import Stage
from tests.conftest import STAFF
from tests.helpers import add_loi, loi, seed

pytestmark = pytest.mark.postgres


def _work(engine: Engine) -> Counter[tuple[object, ...]]:
    with read_only(engine) as session:  # what the database held before (its users) is not counted
        before = session.execute(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0))).scalar_one()
    s = seed(engine, STAFF, stage=Stage.LOI)
    loi_id = add_loi(engine, STAFF, s.deal_id, "$2,000,000.00")
    with unit_of_work(engine) as session:
        lois.update_loi(session, actor=STAFF, loi_id=loi_id, draft=loi("$3,000,000.00", conditions="board"))
        deals.move_stage(session, actor=STAFF, deal_id=s.deal_id, to=Stage.DILIGENCE)
    with unit_of_work(engine) as session:
        deals.revert_stage(session, actor=STAFF, deal_id=s.deal_id)
    with unit_of_work(engine) as session:  # the rate arrives: the snapshot is filled, one row
        fx.set_rate(session, actor=STAFF, currency="USD", rate=Decimal("1380.25"), day=date(2018, 9, 1))
    with read_only(engine) as session:
        rows = session.execute(
            sa.select(
                AuditEntry.action,
                AuditEntry.table_name,
                AuditEntry.field,
                AuditEntry.old_value,
                AuditEntry.new_value,
            ).where(AuditEntry.id > before)
        ).all()
    moments = ("stage_changed_at",)  # instants of "now" differ between the two runs
    return Counter(
        (action, table, field, None if field in moments else old, None if field in moments else new)
        for action, table, field, old, new in rows
    )


def test_both_backends_write_the_same_trail(sqlite_url: str, pg_db: str) -> None:
    lite, pg = make_engine(sqlite_url), make_engine(pg_db)
    try:
        written_here, written_by_database = _work(lite), _work(pg)
    finally:
        lite.dispose()
        pg.dispose()
    assert written_by_database == written_here
    assert any(field == "fx_snapshot" for _a, _t, field, _o, _n in written_here)
