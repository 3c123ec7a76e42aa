"""A real rates service on 127.0.0.1 for the fx tests, speaking both providers' formats: the
Frankfurter API as its own source serves it (``/v1/{date}``, ``/v1/{start}..{end}`` with
``from``/``to``; a day or range without a fixing is 404 ``{"message": "not found"}``; the root
describes the versions and any other path is the application's 404) and the Bank of Korea's
ECOS ``StatisticSearch``; faults (a 500, a hang, bad JSON, a negative rate, a wrong base, a 401)
are scripted per request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from ir_pipeline.fx.providers import ECOS_ITEMS
from tests.local_http import free_port, serving

#: Won per unit (per 100 yen at ECOS), the way the services publish them, on weekdays.
KRW_RATES: dict[str, dict[date, str]] = {
    "USD": {
        date(2018, 9, 17): "1123.1",
        date(2018, 9, 18): "1122.4",
        date(2018, 9, 19): "1122.8",
        date(2018, 9, 20): "1119.5",
        date(2018, 9, 21): "1116.0",
    },
    "EUR": {
        date(2018, 9, 17): "1306.11",
        date(2018, 9, 18): "1310.04",
        date(2018, 9, 19): "1311.2",
        date(2018, 9, 20): "1308.72",
        date(2018, 9, 21): "1312.9",
    },
    "CNY": {
        date(2018, 9, 17): "163.52",
        date(2018, 9, 18): "163.61",
        date(2018, 9, 19): "163.7",
        date(2018, 9, 20): "163.55",
        date(2018, 9, 21): "163.01",
    },
    "GBP": {
        date(2018, 9, 17): "1475.3",
        date(2018, 9, 18): "1476.62",
        date(2018, 9, 19): "1478.9",
        date(2018, 9, 20): "1480.01",
        date(2018, 9, 21): "1477.77",
    },
    "JPY": {
        date(2018, 9, 17): "10.0212",
        date(2018, 9, 18): "9.9914",
        date(2018, 9, 19): "10.0081",
        date(2018, 9, 20): "9.9502",
        date(2018, 9, 21): "9.8818",
    },
}
ECOS_KEY = "good-key"


@dataclass
class Fault:
    kind: str  # "500", "hang", "bad-json", "negative", "wrong-base", "401", "info-100"
    delay: float = 0.0


@dataclass
class RatesServer:
    url: str
    faults: list[Fault] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def base(self, provider: str) -> str:
        """What IRP_FX_URL is for ``provider``: Frankfurter's API is under ``/v1``."""
        return f"{self.url}/v1" if provider == "frankfurter" else self.url


#: Frankfurter's answers outside a fixing, as its source writes them.
NO_FIXING = (404, {"message": "not found"})
APP_NOT_FOUND = (404, {"status": 404, "message": "not found"})
APP_ROOT = {"name": "Frankfurter", "versions": {"v1": {"path": "/v1"}, "v2": {"path": "/v2"}}}


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _frankfurter(span: str, query: dict[str, list[str]], fault: Fault | None) -> tuple[int, object]:
    base, quote = query["from"][0], query["to"][0]
    table = KRW_RATES[base]

    def value(day: date) -> object:
        text = table[day]
        if fault and fault.kind == "negative":
            return -float(text)
        return float(text)  # JSON numbers, as the service sends them

    answered_base = ("USD" if base == "EUR" else "EUR") if fault and fault.kind == "wrong-base" else base
    if ".." in span:
        first, last = (date.fromisoformat(p) for p in span.split(".."))
        rates = {d.isoformat(): {quote: value(d)} for d in _days(first, last) if d in table}
        if not rates:
            return NO_FIXING
        return 200, {
            "amount": 1.0,
            "base": answered_base,
            "start_date": first.isoformat(),
            "end_date": last.isoformat(),
            "rates": rates,
        }
    day = date.fromisoformat(span)
    earlier = [d for d in table if d <= day]
    if not earlier:
        return NO_FIXING
    published = max(earlier)  # a weekend answers with the last fixing
    return 200, {
        "amount": 1.0,
        "base": answered_base,
        "date": published.isoformat(),
        "rates": {quote: value(published)},
    }


def _ecos(parts: list[str], fault: Fault | None) -> tuple[int, dict[str, object]]:
    # StatisticSearch/{key}/json/kr/1/{n}/731Y001/D/{start}/{end}/{item}
    key, table_code, start, end, item = parts[1], parts[6], parts[8], parts[9], parts[10]
    if key != ECOS_KEY or (fault and fault.kind == "401"):
        return 401, {"RESULT": {"CODE": "INFO-100", "MESSAGE": "인증키가 유효하지 않습니다."}}
    if fault and fault.kind == "info-100":
        return 200, {
            "RESULT": {"CODE": "INFO-100", "MESSAGE": "인증키가 유효하지 않습니다. 인증키를 확인하십시오!"}
        }
    currency = next(c for c, (code, _) in ECOS_ITEMS.items() if code == item)
    per = ECOS_ITEMS[currency][1]
    first = date(int(start[:4]), int(start[4:6]), int(start[6:]))
    last = date(int(end[:4]), int(end[4:6]), int(end[6:]))
    table = KRW_RATES[currency]
    rows = []
    for day in _days(first, last):
        if day not in table:
            continue
        from decimal import Decimal

        figure = Decimal(table[day]) * per
        if fault and fault.kind == "negative":
            figure = -figure
        answered = (
            ("0000001" if item == "0000003" else "0000003") if fault and fault.kind == "wrong-base" else item
        )
        rows.append(
            {
                "STAT_CODE": table_code,
                "STAT_NAME": "3.1.1.1. 주요국 통화의 대원화환율",
                "ITEM_CODE1": answered,
                "ITEM_NAME1": f"원/{currency}",
                "UNIT_NAME": "원",
                "TIME": f"{day:%Y%m%d}",
                "DATA_VALUE": format(figure, "f"),
            }
        )
    if not rows:
        return 200, {"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}
    return 200, {"StatisticSearch": {"list_total_count": len(rows), "row": rows}}


@contextmanager
def rates_server() -> Iterator[RatesServer]:
    port = free_port()
    state = RatesServer(url=f"http://127.0.0.1:{port}")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with lock:
                state.paths.append(self.path)
                fault = state.faults.pop(0) if state.faults else None
            if fault and fault.kind == "hang":
                time.sleep(fault.delay)
            if fault and fault.kind == "500":
                status, body = 500, b'{"message": "upstream down"}'
            elif fault and fault.kind == "bad-json":
                status, body = 200, b'{"amount": 1.0, "base": "USD", "rates": {'
            else:
                segments = parts.path.strip("/").split("/")
                data: object
                if segments[0] == "StatisticSearch":
                    status, data = _ecos(segments, fault)
                elif segments == [""]:
                    status, data = 200, APP_ROOT
                elif segments[0] == "v1" and len(segments) == 2:
                    status, data = _frankfurter(segments[1], parse_qs(parts.query), fault)
                else:
                    status, data = APP_NOT_FOUND
                body = json.dumps(data, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the hang)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler, port):
        yield state
