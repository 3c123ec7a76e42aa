"""Importing real files made here: encodings, delimiters, XLSX, bad rows, dry runs, re-imports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from ir_pipeline.clock import local_today
from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.enums import Instrument
from ir_pipeline.errors import Forbidden, Invalid
from ir_pipeline.io.importer import ImportRejected, ImportReport, import_file
from ir_pipeline.models import Deal, LetterOfIntent, StageChange, Startup
from ir_pipeline.queries.funnel import FunnelFilter, loi_summary
from ir_pipeline.queries.records import list_startups
from ir_pipeline.stages import Stage
from tests.conftest import MANAGER, STAFF
from tests.helpers import count, snapshot

STARTUPS_KO = "기업명,분야,사업자등록번호\n(주)그린그리드,에너지,101-81-00001\n주식회사 에어센스,환경,\n"
INVESTORS = "투자사,유형,국가\n한빛벤처스,VC,KR\nBlue Harbor Capital,cvc,SG\n"
LOIS_KO = (
    "기업명,투자사,금액,통화,접수일,투자방식,유효기간,비고\n"
    "그린그리드,한빛벤처스,3억,KRW,2018.09.19,RCPS,2019.03.19,실사 조건\n"
    "㈜ 그린그리드,Blue Harbor Capital,1.5억,,2018/9/20,상환전환우선주,,\n"
    "에어센스,한빛벤처스,5천만원,,18.9.20,보통주,,\n"
    '101-81-00001,blue harbor capital inc.,"3,000,000,000",KRW,2018-09-20,CB,,범위\n'
)


def run(engine: Engine, kind: str, path: Path, *, dry_run: bool = False) -> ImportReport:
    with unit_of_work(engine) as session:
        return import_file(session, actor=STAFF, kind=kind, path=path, dry_run=dry_run)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def with_records(engine: Engine, tmp_path: Path) -> Engine:
    run(engine, "startups", write(tmp_path, "startups.csv", STARTUPS_KO, "cp949"))
    run(engine, "investors", write(tmp_path, "investors.csv", INVESTORS, "cp949"))
    return engine


def test_cp949_csv_with_korean_amounts_and_legal_forms(with_records: Engine, tmp_path: Path) -> None:
    report = run(with_records, "lois", write(tmp_path, "lois.csv", LOIS_KO, "cp949"))
    assert (report.rows, report.created, report.skipped, report.encoding) == (4, 4, 0, "cp949")
    with read_only(with_records) as s:
        summary = loi_summary(s, actor=MANAGER)
        names = [x.name for x in list_startups(s, actor=MANAGER)]
    assert summary.count == 4 and summary.startups == 2
    assert summary.total.as_json() == {"KRW": "3500000000"}  # 3억 + 1.5억 + 5천만 + 30억
    assert names == ["(주)그린그리드", "주식회사 에어센스"]
    assert count(with_records, Deal) == 3  # 그린그리드 × 한빛, × Blue Harbor (twice), 에어센스 × 한빛
    assert count(with_records, StageChange) == 3  # each new deal opened at loi, with history


def test_reimport_creates_no_duplicates(with_records: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "lois.csv", LOIS_KO, "cp949")
    run(with_records, "lois", path)
    before = snapshot(with_records)
    again = run(with_records, "lois", path)
    assert (again.created, again.skipped) == (0, 4)
    assert snapshot(with_records) == before
    startups_again = run(with_records, "startups", write(tmp_path, "s.csv", STARTUPS_KO, "cp949"))
    assert (startups_again.created, startups_again.updated, startups_again.skipped) == (0, 0, 2)


def test_short_rows_read_as_empty_trailing_cells(with_records: Engine, tmp_path: Path) -> None:
    """A row that stops before the last columns (as spreadsheets write them) reads those cells as
    empty, exactly like the same row written out in full, and its opening move is in the history."""
    text = (
        "기업명,투자사,금액,통화,접수일,투자방식,유효기간,비고\n"
        "그린그리드,한빛벤처스,3억,KRW,2018.09.19\n"
        "에어센스,한빛벤처스,3억,KRW,2018.09.19,,,\n"
        "에어센스,Blue Harbor Capital,2억\n"
    )
    report = run(with_records, "lois", write(tmp_path, "short.csv", text))
    assert (report.created, report.problems) == (3, [])
    with read_only(with_records) as s:
        lois = s.exec(select(LetterOfIntent).order_by(col(LetterOfIntent.id))).all()
        history = s.exec(select(StageChange).order_by(col(StageChange.deal_id))).all()
    assert [(x.amount_minor, x.instrument, x.valid_until, x.conditions) for x in lois[:2]] == [
        (300_000_000, Instrument.COMMON, None, "")
    ] * 2
    assert lois[2].amount_minor == 200_000_000 and lois[2].received_on == local_today()
    assert [(h.deal_id, h.from_stage, h.to_stage, h.changed_by) for h in history] == [
        (x.deal_id, None, Stage.LOI, STAFF.name) for x in lois
    ]


def test_bom_csv_with_semicolons_and_english_headers(with_records: Engine, tmp_path: Path) -> None:
    text = "Startup;Investor;Amount;Currency;Received Date\nGreenGrid;Hanbit Ventures;$2M;;2026-01-05\n"
    text = text.replace("GreenGrid", "그린그리드").replace("Hanbit Ventures", "한빛벤처스")
    report = run(with_records, "lois", write(tmp_path, "bom.csv", text, "utf-8-sig"))
    assert report.created == 1 and report.encoding == "utf-8-sig"
    with read_only(with_records) as s:
        assert loi_summary(s, actor=MANAGER).total.as_json() == {"USD": "2000000.00"}


def test_tab_separated(with_records: Engine, tmp_path: Path) -> None:
    text = "기업명\t투자사\t금액\t접수일\n그린그리드\t한빛벤처스\t1억\t2026.02.01\n"
    assert run(with_records, "lois", write(tmp_path, "tabs.csv", text)).created == 1


def test_xlsx_with_numbers_and_dates(with_records: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["기업명", "투자사", "금액", "통화", "접수일", "투자방식"])
    sheet.append(["그린그리드", "한빛벤처스", 300_000_000, "KRW", date(2018, 9, 19), "RCPS"])
    sheet.append(["에어센스", "Blue Harbor Capital", "2.5억", None, "2018.09.20", None])
    sheet.append([None, None, None, None, None, None])  # blank rows are skipped
    path = tmp_path / "lois.xlsx"
    workbook.save(path)
    report = run(with_records, "lois", path)
    assert (report.rows, report.created) == (2, 2)
    with read_only(with_records) as s:
        assert loi_summary(s, actor=MANAGER).total.as_json() == {"KRW": "550000000"}


def test_every_bad_row_is_reported_and_nothing_is_written(with_records: Engine, tmp_path: Path) -> None:
    text = (
        "기업명,투자사,금액,접수일,유효기간,투자방식\n"
        "그린그리드,한빛벤처스,3억,2018.09.19,,RCPS\n"  # fine
        "그린그리드,한빛벤처스,abc,2018.09.19,,\n"  # bad amount
        "없는회사,한빛벤처스,-1억,2018.13.01,,\n"  # unknown startup, negative, bad date
        "그린그리드,,1억,,,\n"  # empty investor
        # validity before receipt, unknown instrument
        "에어센스,한빛벤처스,1억,2018.09.19,2018.01.01,tulips\n"
    )
    before = snapshot(with_records)
    with pytest.raises(ImportRejected) as caught:
        run(with_records, "lois", write(tmp_path, "bad.csv", text))
    problems = [(p.line, p.column) for p in caught.value.report.problems]
    assert problems == [
        (3, "금액"),
        (4, "기업명"),
        (4, "금액"),
        (4, "접수일"),
        (5, "투자사"),
        (6, "유효기간"),
        (6, "투자방식"),
    ]
    assert "7 problems in 5 rows; nothing was imported" in str(caught.value)
    assert snapshot(with_records) == before


def test_dry_run_reports_and_writes_nothing(with_records: Engine, tmp_path: Path) -> None:
    before = snapshot(with_records)
    report = run(with_records, "lois", write(tmp_path, "lois.csv", LOIS_KO, "cp949"), dry_run=True)
    assert (report.created, report.dry_run, report.committed) == (4, True, False)
    assert snapshot(with_records) == before


def test_names_in_a_file_match_as_names_typed_in_the_cli(with_records: Engine, tmp_path: Path) -> None:
    """One rule (``lookup``): a unique partial name is the record, as ``--startup 그린그`` is;
    several matches are refused listing them; none names the closest, or says to import first."""
    from ir_pipeline.lookup import resolve_startup

    with read_only(with_records) as s:
        assert resolve_startup(s, "그린그", actor=MANAGER).name == "(주)그린그리드"
    report = run(with_records, "lois", write(tmp_path, "x.csv", "기업명,투자사,금액\n그린그,한빛,1억\n"))
    assert report.created == 1
    with read_only(with_records) as s:
        assert loi_summary(s, actor=MANAGER).startups == 1
    run(with_records, "startups", write(tmp_path, "more.csv", "기업명\n(주)그린웨이브\n"))
    before = snapshot(with_records)
    text = (
        "기업명,투자사,금액\n그린,한빛벤처스,1억\n그린그리드x,한빛벤처스,1억\nZzz Robotics,한빛벤처스,1억\n"
    )
    with pytest.raises(ImportRejected) as caught:
        run(with_records, "lois", write(tmp_path, "y.csv", text))
    messages = [p.message for p in caught.value.report.problems]
    assert "matches several: (주)그린그리드, (주)그린웨이브" in messages[0], messages
    assert "did you mean (주)그린그리드" in messages[1], messages
    assert "import startups first" in messages[2], messages
    assert snapshot(with_records) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x00\x01\x02\x03garbage", "not a text file"),
        ("book.csv", b"PK\x03\x04rest-of-zip", "XLSX workbook with a .csv name"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
        ("broken.xlsx", b"not really a zip", "not a readable workbook"),
        ("headers.csv", b"name,amount\nx,1\n", "has no startup"),
    ],
)
def test_wrong_files_are_refused_clearly(
    engine: Engine, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(Invalid, match=message):
        run(engine, "lois", path)


def test_missing_file(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file"):
        run(engine, "lois", tmp_path / "nope.csv")


def test_only_staff_import(with_records: Engine, tmp_path: Path) -> None:
    with pytest.raises(Forbidden), unit_of_work(with_records) as session:
        import_file(session, actor=MANAGER, kind="lois", path=write(tmp_path, "l.csv", LOIS_KO))


def test_follow_ups_and_contacts_import(with_records: Engine, tmp_path: Path) -> None:
    run(with_records, "lois", write(tmp_path, "lois.csv", LOIS_KO, "cp949"))
    followups = (
        "기업명,투자사,기한,담당자,방법,내용,상태\n그린그리드,한빛벤처스,2026.12.01,kim,전화,IR 자료 송부,\n"
    )
    followups += "에어센스,한빛벤처스,2026.11.01,lee,email,지난 미팅,done\n"
    report = run(with_records, "followups", write(tmp_path, "f.csv", followups))
    assert report.created == 2
    assert run(with_records, "followups", write(tmp_path, "f2.csv", followups)).skipped == 2
    contacts = (  # fmt: skip
        "이름,투자사,기업명,이메일,직책\n김민지,한빛벤처스,,mj@hanbit.example,심사역\n박대표,,그린그리드,,CEO\n"
    )
    assert run(with_records, "contacts", write(tmp_path, "c.csv", contacts)).created == 2
    bad = "이름,투자사,기업명,이메일\n누구,한빛벤처스,그린그리드,\n"
    with pytest.raises(ImportRejected):
        run(with_records, "contacts", write(tmp_path, "c2.csv", bad))


def test_events_import_and_event_column_on_lois(with_records: Engine, tmp_path: Path) -> None:
    events = "행사명,시작일,종료일,장소\nWSCW 2018,2018.09.18,2018.09.20,KINTEX\n"
    assert run(with_records, "events", write(tmp_path, "e.csv", events)).created == 1
    lois = "기업명,투자사,금액,행사\n그린그리드,한빛벤처스,2억,WSCW 2018\n"
    run(with_records, "lois", write(tmp_path, "l.csv", lois))
    with read_only(with_records) as s:
        from ir_pipeline.lookup import resolve_event

        event_id = resolve_event(s, "WSCW 2018", actor=STAFF).id
        assert loi_summary(s, actor=MANAGER, flt=FunnelFilter(event_id=event_id)).count == 1


def test_an_loi_on_an_existing_early_deal_moves_it(with_records: Engine, tmp_path: Path) -> None:
    from ir_pipeline.services import deals

    with unit_of_work(with_records) as s:
        startup = s.exec(__import__("sqlmodel").select(Startup)).first()
        assert startup is not None and startup.id is not None
        from ir_pipeline.lookup import resolve_investor

        investor = resolve_investor(s, "한빛벤처스", actor=STAFF)
        assert investor.id is not None
        row = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
    run(with_records, "lois", write(tmp_path, "l.csv", "기업명,투자사,금액\n그린그리드,한빛벤처스,2억\n"))
    with read_only(with_records) as s:
        from ir_pipeline.queries.deals import get_deal_detail

        detail = get_deal_detail(s, actor=MANAGER, deal_id=row.id)
    assert detail.deal.stage.value == "loi"
    assert detail.history[-1].reason == "LOI imported from l.csv"
    assert count(with_records, LetterOfIntent) == 1


def test_a_file_names_demo_records_as_the_cli_does(demo_db_url: str, tmp_path: Path) -> None:
    """The issue's row: ``CityTwin,K-City Partners,…`` finds ``CityTwin (demo)`` and ``K-City
    Partners (demo)``, as ``--startup citytwin`` does, on both databases."""
    from tests.test_cli import irp

    path = write(tmp_path, "lois.csv", "startup,investor,amount\nCityTwin,K-City Partners,5억\n")
    code, out, err = irp("import", "lois", str(path), db=demo_db_url)
    assert code == 0, err
    code, out, _ = irp("loi", "list", "--startup", "citytwin", "--json", db=demo_db_url)
    rows = json.loads(out)["lois"]
    assert ("CityTwin (demo)", "K-City Partners (demo)", "500000000") in {
        (x["startup"], x["investor"], x["amount"]["amount"]) for x in rows
    }
