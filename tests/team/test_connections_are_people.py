"""The suite's own guard: a test engine that connects to PostgreSQL as the superuser or the owner
of the tables is caught (they bypass row-level security, so a test passing as one proves little)."""

from __future__ import annotations

import pytest

from ir_pipeline.db import make_engine
from tests import conftest

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("login", ["owner", "superuser", "staff"])
def test_connecting_as_the_owner_or_a_superuser_is_caught(pg_db: str, login: str) -> None:
    url = {
        "owner": conftest.owner_url(pg_db),
        "superuser": conftest.pg_url(pg_db.rsplit("/", 1)[1], "postgres"),
        "staff": pg_db,
    }[login]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        caught = list(conftest._violations)
    finally:
        engine.dispose()
        del conftest._violations[:]  # this test looked on purpose
    assert bool(caught) is (login != "staff"), caught
