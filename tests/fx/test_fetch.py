"""``irp fx update`` against a real rates service on 127.0.0.1, in both providers' formats: good
days and ranges are stored exactly, a 500 is retried, a hang ends within the configured time,
and a bad answer (bad JSON, a negative rate, a wrong base, a refused key) changes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, read_only
from ir_pipeline.fx.stored import list_rates
from tests.fx.rates_server import ECOS_KEY, Fault, RatesServer, rates_server
from tests.helpers import snapshot
from tests.test_cli import irp

PROVIDERS = ["frankfurter", "ecos"]


@pytest.fixture
def server() -> Iterator[RatesServer]:
    with rates_server() as state:
        yield state


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest, server: RatesServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IRP_FX_PROVIDER", request.param)
    monkeypatch.setenv("IRP_FX_URL", server.base(request.param))
    monkeypatch.setenv("IRP_ECOS_KEY", ECOS_KEY)
    monkeypatch.setenv("IRP_FX_BACKOFF", "0")
    return str(request.param)


@pytest.fixture
def db(sqlite_url: str) -> Iterator[tuple[str, Engine]]:
    engine = make_engine(sqlite_url)
    yield sqlite_url, engine
    engine.dispose()


def stored(engine: Engine) -> dict[tuple[str, date], tuple[Decimal, str]]:
    with read_only(engine) as session:
        return {(r.base, r.day): (Decimal(r.rate), r.source) for r in list_rates(session, limit=1000)}


def test_a_good_day_is_stored_exactly(provider: str, db: tuple[str, Engine]) -> None:
    url, engine = db
    code, out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD,JPY", db=url)
    assert code == 0, err
    source = "ECB" if provider == "frankfurter" else "ECOS"
    assert stored(engine) == {
        ("USD", date(2018, 9, 19)): (Decimal("1122.8"), source),
        # ECOS quotes yen per hundred: stored per one yen, exactly
        ("JPY", date(2018, 9, 19)): (Decimal("10.0081"), source),
    }
    assert "2 rates added" in out


def test_a_range_is_stored_day_by_day(provider: str, db: tuple[str, Engine]) -> None:
    url, engine = db
    code, out, err = irp(
        "fx", "update", "--from", "2018-09-15", "--to", "2018-09-21", "--currencies", "EUR", "--json", db=url
    )
    assert code == 0, err
    assert json.loads(out)["added"] == 5  # the weekdays: no fixing on the weekend
    rates = stored(engine)
    assert rates[("EUR", date(2018, 9, 20))][0] == Decimal("1308.72")
    assert sorted(d for _, d in rates) == [date(2018, 9, d) for d in range(17, 22)]
    # fetching again stores nothing new
    code, out, _ = irp(
        "fx", "update", "--from", "2018-09-15", "--to", "2018-09-21", "--currencies", "EUR", "--json", db=url
    )
    assert json.loads(out)["unchanged"] == 5 and json.loads(out)["added"] == 0


def test_a_500_is_retried_and_then_stored(provider: str, server: RatesServer, db: tuple[str, Engine]) -> None:
    url, engine = db
    server.faults = [Fault("500")]
    code, _out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD", db=url)
    assert code == 0, err
    assert len(server.paths) == 2  # the 500, then the answer
    assert stored(engine)[("USD", date(2018, 9, 19))][0] == Decimal("1122.8")


def test_500s_past_the_attempts_give_one_line_and_store_nothing(
    provider: str, server: RatesServer, db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = db
    monkeypatch.setenv("IRP_FX_ATTEMPTS", "2")
    server.faults = [Fault("500"), Fault("500")]
    before = snapshot(engine)
    code, _out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD", db=url)
    assert code == 1 and err.count("\n") == 1
    assert "500" in err and "2 times" in err and "Traceback" not in err
    assert snapshot(engine) == before and len(server.paths) == 2


def test_a_hang_gives_a_clear_error_within_the_timeout(
    provider: str, server: RatesServer, db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = db
    monkeypatch.setenv("IRP_FX_TIMEOUT", "0.5")
    server.faults = [Fault("hang", delay=6.0)] * 5
    before = snapshot(engine)
    started = time.monotonic()
    code, _out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD", db=url)
    # the service would answer after 6 s; the command gave up long before, as configured
    assert time.monotonic() - started < 6.0
    assert code == 1 and err.count("\n") == 1 and "no answer within 0.5 s" in err
    assert snapshot(engine) == before


BAD = {
    "bad-json": "not valid JSON",
    "negative": "above zero",
    "wrong-base": "not",
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_answer_changes_nothing(
    provider: str, server: RatesServer, db: tuple[str, Engine], kind: str
) -> None:
    url, engine = db
    # a first currency is fine, the second answer is bad: the good one is not stored either
    server.faults = [Fault("none"), Fault(kind)]
    before = snapshot(engine)
    code, _out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD,EUR", db=url)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err, err
    assert BAD[kind] in err
    assert snapshot(engine) == before


@pytest.mark.parametrize("kind", ["401", "info-100"])
def test_ecos_refusing_the_key_changes_nothing(
    server: RatesServer, db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    url, engine = db
    monkeypatch.setenv("IRP_FX_PROVIDER", "ecos")
    monkeypatch.setenv("IRP_FX_URL", server.url)
    monkeypatch.setenv("IRP_ECOS_KEY", ECOS_KEY)
    server.faults = [Fault(kind)]
    before = snapshot(engine)
    code, _out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD", db=url)
    assert code == 1 and err.count("\n") == 1
    assert ("401" in err and "IRP_ECOS_KEY" in err) if kind == "401" else "INFO-100" in err
    assert ECOS_KEY not in err  # the key is part of the URL path: never printed
    assert snapshot(engine) == before and len(server.paths) == 1  # a refusal is not retried


def test_ecos_without_a_key_says_where_to_get_one(
    db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRP_FX_PROVIDER", "ecos")
    monkeypatch.delenv("IRP_ECOS_KEY", raising=False)
    code, _out, err = irp("fx", "update", "--currencies", "USD", db=db[0])
    assert code == 1 and "IRP_ECOS_KEY" in err


def test_manual_rates_and_the_list(db: tuple[str, Engine]) -> None:
    url, _engine = db
    code, out, err = irp("fx", "set", "USD", "1,380.25", "--date", "2018-09-19", db=url)
    assert code == 0 and "USD/KRW 1,380.25 on 2018-09-19 (manual)" in out, err
    for bad, why in (("0", "above zero"), ("-3", "above zero"), ("abc", "not a rate"), ("nan", "not a rate")):
        code, _out, err = irp("fx", "set", "--date", "2018-09-20", "USD", "--", bad, db=url)
        assert code == 1 and why in err and err.count("\n") == 1
    code, _out, err = irp("fx", "set", "KRW", "1", db=url)
    assert code == 1 and "two currencies" in err
    # the same day again replaces the value; the audit trail keeps the old one
    assert irp("fx", "set", "USD", "1381", "--date", "2018-09-19", db=url)[0] == 0
    code, out, _ = irp("fx", "list", "--json", db=url)
    rows = json.loads(out)["rates"]
    assert [(r["base"], r["quote"], r["day"], r["rate"], r["source"]) for r in rows] == [
        ("USD", "KRW", "2018-09-19", "1381", "manual")
    ]
    code, out, _ = irp("audit", "--json", db=url)
    assert "1380.25" in out


def test_a_weekend_without_a_fixing_stores_nothing_and_says_so(provider: str, db: tuple[str, Engine]) -> None:
    url, engine = db
    before = snapshot(engine)
    code, out, err = irp(
        "fx", "update", "--from", "2018-09-22", "--to", "2018-09-23", "--currencies", "USD,EUR", db=url
    )
    assert code == 0, err
    assert out.strip().endswith(
        "no fixing was published for these days (a weekend or a holiday): nothing stored"
    )
    assert len(out.strip().splitlines()) == 1
    assert snapshot(engine) == before
    code, out, err = irp("fx", "update", "--date", "2018-09-01", "--currencies", "USD", "--json", db=url)
    assert code == 0, err
    assert json.loads(out)["fetched"] == 0 and json.loads(out)["added"] == 0


def test_a_frankfurter_base_without_its_version_is_refused_saying_what_to_set(
    server: RatesServer, db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = db
    monkeypatch.setenv("IRP_FX_PROVIDER", "frankfurter")
    monkeypatch.setenv("IRP_FX_URL", server.url)  # the service's root, as a self-hosted one is
    before = snapshot(engine)
    code, out, err = irp("fx", "update", "--date", "2018-09-19", "--currencies", "USD", db=url)
    assert code == 1 and out == ""
    assert f"set IRP_FX_URL={server.url}/v1" in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(engine) == before


def test_frankfurter_defaults_to_its_documented_v1_base_and_reads_its_host_without_one() -> None:
    from ir_pipeline.config import FxSettings
    from ir_pipeline.fx.fetch import base_url, provider_of

    provider = provider_of(FxSettings())
    assert base_url(FxSettings(), provider) == "https://api.frankfurter.dev/v1"
    for given in (
        "https://api.frankfurter.dev",
        "https://api.frankfurter.dev/",
        "https://api.frankfurter.app",
    ):
        assert base_url(FxSettings(url=given), provider) == given.rstrip("/") + "/v1"
    assert base_url(FxSettings(url="https://fx.example.org/v1"), provider) == "https://fx.example.org/v1"
