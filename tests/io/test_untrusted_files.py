"""The corpus: every file either imports exactly, or fails naming its own line, column and header
as the file wrote them, writing nothing. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from ir_pipeline.db import read_only, unit_of_work
from ir_pipeline.errors import Invalid
from ir_pipeline.io.export import export
from ir_pipeline.io.importer import ImportRejected, ImportReport, import_file
from ir_pipeline.models import Deal, FollowUp, Investor, LetterOfIntent, Startup
from tests.conftest import MANAGER, STAFF
from tests.helpers import snapshot
from tests.io import corpus


def run(engine: Engine, kind: str, path: Path, **kwargs: object) -> ImportReport:
    with unit_of_work(engine) as session:
        return import_file(session, actor=STAFF, kind=kind, path=path, **kwargs)  # type: ignore[arg-type]


def put(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def problems(engine: Engine, kind: str, path: Path) -> list[tuple[int, str, str]]:
    """Import a file that must be refused; its problems, after checking nothing was written."""
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as caught:
        run(engine, kind, path)
    assert snapshot(engine) == before
    return [(p.line, p.column, p.message) for p in caught.value.report.problems]


def refusal(engine: Engine, kind: str, path: Path) -> str:
    """Import a file that must be refused as a whole; the one-line reason."""
    before = snapshot(engine)
    with pytest.raises(Invalid) as caught:
        run(engine, kind, path)
    assert not isinstance(caught.value, ImportRejected)
    assert snapshot(engine) == before
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture
def records(engine: Engine, tmp_path: Path) -> Engine:
    run(engine, "startups", put(tmp_path, "s.csv", "기업명\n그린그리드\n에어센스\n"))
    run(engine, "investors", put(tmp_path, "i.csv", "투자사,유형\n한빛벤처스,벤처캐피탈\n"))
    return engine


def names(engine: Engine, model: type[Startup] | type[Investor]) -> list[str]:
    with read_only(engine) as session:
        return sorted(session.exec(select(model.name)).all())


# -- encodings ------------------------------------------------------------------------------------


def test_late_korean_cp949_is_read_as_cp949_not_garbled(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, "startups", put(tmp_path, "late.csv", corpus.late_korean_cp949()))
    assert report.encoding == "cp949" and report.created == 47
    assert corpus.GREENGRID in names(engine, Startup) and "주식회사 에어센스" in names(engine, Startup)


def test_an_irp_export_resaved_as_cp949_imports_back_unchanged(
    engine: Engine, records: Engine, tmp_path: Path
) -> None:
    run(engine, "startups", put(tmp_path, "more.csv", "기업명,분야\n(주)스마트시티랩,스마트 시티\n"))
    exported = tmp_path / "startups.csv"
    with read_only(engine) as session:
        export(session, actor=MANAGER, kind="startups", fmt="csv", out=exported)
    # what LibreOffice writes when told "Korean (CP949)": the same text, no BOM
    resaved = put(tmp_path, "resaved.csv", exported.read_text(encoding="utf-8-sig").encode("cp949"))
    before = names(engine, Startup)
    report = run(engine, "startups", resaved)
    assert report.encoding == "cp949" and (report.created, report.updated) == (0, 0)
    assert names(engine, Startup) == before


def test_one_cp949_row_in_a_utf8_file_is_reported_at_its_own_line(engine: Engine, tmp_path: Path) -> None:
    path = put(tmp_path, "big.csv", corpus.utf8_with_one_cp949_row(rows=20_500, bad_line=20_000))
    message = refusal(engine, "startups", path)
    assert "line 20000 is not UTF-8" in message and "--encoding" in message


def test_mixed_encodings_name_both_lines(engine: Engine, tmp_path: Path) -> None:
    message = refusal(engine, "startups", put(tmp_path, "mixed.csv", corpus.mixed_encodings()))
    assert "line 3 is not UTF-8" in message and "line 1 is not CP949" in message
    assert "mixes encodings" in message


def test_encoding_option_overrides_detection_and_is_checked(engine: Engine, tmp_path: Path) -> None:
    latin = put(tmp_path, "latin.csv", "name,sector\nSociété Générale Ventures,finance\n".encode("cp1252"))
    report = run(engine, "startups", latin, encoding="cp1252")
    assert report.created == 1 and "Société Générale Ventures" in names(engine, Startup)
    with pytest.raises(Invalid, match=r"latin\.csv, line 2: not valid utf-8 text"):
        run(engine, "startups", latin, encoding="utf-8")
    with pytest.raises(Invalid, match="unknown encoding 'klingon'"):
        run(engine, "startups", latin, encoding="klingon")


def test_accented_cp1252_is_not_mistaken_for_korean(engine: Engine, tmp_path: Path) -> None:
    # "Ärger" is valid CP949 bytes (a rare Hangul syllable): the Korean check must not accept it.
    # Western text reads equally well as cp1250 and cp1252 (Å or Ĺ): refused, both named.
    text = "name,sector\nÄrger Labs,mobility\nÅngström Capital,finance\nSociété Générale,bank\n"
    path = put(tmp_path, "latin.csv", text.encode("cp1252"))
    message = refusal(engine, "startups", path)
    assert "cp1250 or cp1252" in message and "--encoding" in message
    assert run(engine, "startups", path, encoding="cp1252").created == 3
    assert {"Ärger Labs", "Ångström Capital", "Société Générale"} <= set(names(engine, Startup))


def test_a_confident_guess_is_taken(engine: Engine, tmp_path: Path) -> None:
    text = "name,sector\n" + "".join(f"Компания Север {n},энергетика и связь\n" for n in range(30))
    report = run(engine, "startups", put(tmp_path, "cyrillic.csv", text.encode("cp1251")))
    assert report.encoding == "cp1251" and "Компания Север 7" in names(engine, Startup)


# -- quoting and headers ---------------------------------------------------------------------------


def test_an_unclosed_quote_is_reported_where_it_opens(records: Engine, tmp_path: Path) -> None:
    message = refusal(records, "lois", put(tmp_path, "q.csv", corpus.lois_with_unclosed_quote(30, 61)))
    assert "line 30: a quote opened on this line is not closed until line 61" in message


def test_a_quote_open_to_the_end_of_the_file(records: Engine, tmp_path: Path) -> None:
    message = refusal(records, "lois", put(tmp_path, "q.csv", corpus.lois_with_quote_open_to_the_end(5)))
    assert "line 5: a quote opened on this line is never closed" in message


def test_a_real_multi_line_cell_still_imports(records: Engine, tmp_path: Path) -> None:
    text = (
        "기업명,투자사,금액,접수일,비고\n"
        '그린그리드,한빛벤처스,3억,2018.09.19,"실사 조건\n후속 미팅 필요"\n'
        "에어센스,한빛벤처스,1억,2018.09.19,\n"
    )
    report = run(records, "lois", put(tmp_path, "ok.csv", text))
    assert report.created == 2
    with read_only(records) as session:
        conditions = session.exec(select(LetterOfIntent.conditions).order_by(LetterOfIntent.id)).all()
    assert conditions[0] == "실사 조건\n후속 미팅 필요"


def test_line_numbers_count_blank_lines_and_multi_line_cells(records: Engine, tmp_path: Path) -> None:
    text = (
        "기업명,투자사,금액,접수일,비고\n"  # 1
        "\n"  # 2 (blank)
        'GreenGrid,한빛벤처스,3억,2018.09.19,"two\nlines"\n'  # 3-4
        "그린그리드,한빛벤처스,abc,2018.09.19,\n"  # 5
    )
    assert [
        (line, column) for line, column, _ in problems(records, "lois", put(tmp_path, "l.csv", text))
    ] == [
        (3, "기업명"),
        (5, "금액"),
    ]


def test_a_field_given_twice_is_refused(records: Engine, tmp_path: Path) -> None:
    text = "기업명,투자사,금액,접수일,투자금액\n그린그리드,한빛벤처스,3억,2018.09.19,5억\n"
    message = refusal(records, "lois", put(tmp_path, "d.csv", text))
    assert "line 1 (the header row)" in message
    assert "columns C ('금액') and E ('투자금액') both hold the amount" in message


def test_unknown_headers_are_listed_once(records: Engine, tmp_path: Path) -> None:
    text = "기업명,투자사,금액,접수일,메모2,메모2,Sr No\n그린그리드,한빛벤처스,3억,2018.09.19,a,b,1\n"
    report = run(records, "lois", put(tmp_path, "u.csv", text), dry_run=True)
    assert report.ignored_columns == ["메모2", "Sr No"]


def test_messages_name_the_header_the_file_wrote(engine: Engine, tmp_path: Path) -> None:
    text = "투자사,유형,국가\n한빛벤처스,벤처캐피탈,아틀란티스\n블루하버,외계인,KR\n"
    found = problems(engine, "investors", put(tmp_path, "i.csv", text))
    assert [(line, column) for line, column, _ in found] == [(2, "국가"), (3, "유형")]
    assert "country" not in {column for _, column, _ in found}


# -- bounds ----------------------------------------------------------------------------------------


def test_overflowing_amounts_and_dates_are_problems_not_crashes(records: Engine, tmp_path: Path) -> None:
    text = (
        "기업명,투자사,금액,접수일,유효기간\n"
        "그린그리드,한빛벤처스,99999999999999999999경,2018.09.19,\n"  # 2
        "그린그리드,한빛벤처스,1" + "0" * 30 + ",2018.09.19,\n"  # 3: 10^30
        "그린그리드,한빛벤처스,9223372036854775808,2018.09.19,\n"  # 4: BIGINT + 1
        "그린그리드,한빛벤처스,9999경,2018.09.19,\n"  # 5
        "그린그리드,한빛벤처스,1억,+3000000d,\n"  # 6
        "그린그리드,한빛벤처스,1억,0001-01-01,\n"  # 7
        "그린그리드,한빛벤처스,1억,2018.09.19,9999-12-31\n"  # 8
        "그린그리드,한빛벤처스,1억5천,2018.09.19,\n"  # 9
    )
    found = problems(records, "lois", put(tmp_path, "big.csv", text))
    assert [(line, column) for line, column, _ in found] == [
        (2, "금액"),
        (3, "금액"),
        (4, "금액"),
        (5, "금액"),
        (6, "접수일"),
        (7, "접수일"),
        (8, "유효기간"),
        (9, "금액"),
    ]
    messages = [message for _, _, message in found]
    assert all("too large" in m for m in messages[:4])
    assert "ambiguous" in messages[7] and "₩150,000,000" in messages[7] and "₩100,005,000" in messages[7]


def test_the_largest_storable_amount_imports_and_totals_stay_exact(records: Engine, tmp_path: Path) -> None:
    largest = 2**63 - 1
    text = (
        "기업명,투자사,금액,접수일\n"
        f"그린그리드,한빛벤처스,{largest},2018.09.19\n"
        f"에어센스,한빛벤처스,{largest},2018.09.20\n"
    )
    run(records, "lois", put(tmp_path, "max.csv", text))
    from ir_pipeline.queries.funnel import funnel

    with read_only(records) as session:
        result = funnel(session, actor=MANAGER)  # SQLite's SUM would overflow here
    assert result.lois.total["KRW"].minor == 2 * largest


def test_long_and_control_character_text(records: Engine, tmp_path: Path) -> None:
    text = (
        "기업명,투자사,금액,접수일,담당자,비고\n"
        f"그린그리드,한빛벤처스,1억,2018.09.19,{'김' * 500},\n"  # 2: longer than the owner column
        "그린그리드,한빛벤처스,2억,2018.09.19,\x1b]0;owned\x07,\n"  # 3: control characters in a name
    )
    found = problems(records, "lois", put(tmp_path, "t.csv", text))
    assert [(line, column) for line, column, _ in found] == [(2, "담당자"), (3, "담당자")]
    assert "500 characters long; at most 80 fit" in found[0][2]
    assert "U+001B" in found[1][2]
    startups = "기업명\nEvil\x1b[2JCorp\n"
    assert [
        (line, column) for line, column, _ in problems(records, "startups", put(tmp_path, "s.csv", startups))
    ] == [(2, "기업명")]
    # free text keeps its words and loses the control characters
    notes = "기업명,투자사,금액,접수일,비고\n그린그리드,한빛벤처스,3억,2018.09.19,ok\x1b[31m red\x07\n"
    run(records, "lois", put(tmp_path, "n.csv", notes))
    with read_only(records) as session:
        assert session.exec(select(LetterOfIntent.conditions)).one() == "ok[31m red"


# -- what people really type -------------------------------------------------------------------------


def test_korean_date_forms_and_date_times(records: Engine, tmp_path: Path) -> None:
    text = (
        "기업명,투자사,금액,접수일\n"
        "그린그리드,한빛벤처스,1억,2018. 9. 19\n"
        "그린그리드,한빛벤처스,2억,2018.09.19.\n"
        "그린그리드,한빛벤처스,3억,2018년 9월 20일\n"
        "그린그리드,한빛벤처스,4억,2018-09-21 14:30\n"
        "그린그리드,한빛벤처스,5억,2018-09-21T09:00:00+09:00\n"
    )
    assert run(records, "lois", put(tmp_path, "d.csv", text)).created == 5
    with read_only(records) as session:
        days = session.exec(select(LetterOfIntent.received_on).order_by(LetterOfIntent.amount_minor)).all()
    assert days == [
        date(2018, 9, 19),
        date(2018, 9, 19),
        date(2018, 9, 20),
        date(2018, 9, 21),
        date(2018, 9, 21),
    ]


def test_libreoffice_xlsx_with_date_time_cells_and_a_title_row(records: Engine, tmp_path: Path) -> None:
    path = corpus.libreoffice_lois_xlsx(tmp_path / "lois.xlsx")
    report = run(records, "lois", path)
    assert report.created == 2
    with read_only(records) as session:
        rows = session.exec(
            select(
                LetterOfIntent.received_on, LetterOfIntent.amount_minor, LetterOfIntent.instrument
            ).order_by(LetterOfIntent.received_on)
        ).all()
    assert [(r[0], r[1], r[2].value) for r in rows] == [
        (date(2018, 9, 19), 150_000_000, "common"),
        (date(2018, 9, 21), 300_000_000, "rcps"),
    ]
    bad = tmp_path / "bad.xlsx"
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet["C5"] = "1억5천"
    workbook.save(bad)
    assert [(line, column) for line, column, _ in problems(records, "lois", bad)] == [(5, "금액")]


def test_korean_labels_currency_words_and_enum_words(engine: Engine, tmp_path: Path) -> None:
    investors = (
        "투자사,유형,국가\n"
        "가벤처스,벤처캐피탈,한국\nA엔젤,엔젤,KR\nB은행,은행,대한민국\nC랩,액셀러레이터,Korea\n"
        "D전자 CVC,기업형 벤처캐피탈,미국\nE산업은행,정책금융,KR\nF파트너스,사모펀드,Japan\n"
    )
    assert run(engine, "investors", put(tmp_path, "i.csv", investors)).created == 7
    with read_only(engine) as session:
        kinds = dict(session.exec(select(Investor.name, Investor.kind)).all())
        countries = dict(session.exec(select(Investor.name, Investor.country)).all())
    assert [
        kinds[n].value for n in ("가벤처스", "A엔젤", "B은행", "C랩", "D전자 CVC", "E산업은행", "F파트너스")
    ] == [
        "vc",
        "angel",
        "bank",
        "accelerator",
        "cvc",
        "government",
        "pe",
    ]
    assert countries["D전자 CVC"] == "US" and countries["F파트너스"] == "JP" and countries["가벤처스"] == "KR"
    run(engine, "startups", put(tmp_path, "s.csv", "기업명\n그린그리드\n"))
    lois = (
        "기업명,투자사,금액,통화,투자방식,상태,접수일\n"
        "그린그리드,가벤처스,3억,원,상환전환우선주,접수,2018.09.19\n"
        "그린그리드,A엔젤,5천만,₩,보통주,철회,2018.09.19\n"
        "그린그리드,B은행,1억,KRW,융자,만료,2018.09.19\n"
        "그린그리드,C랩,200000,달러,전환사채,투자전환,2018.09.19\n"
    )
    assert run(engine, "lois", put(tmp_path, "l.csv", lois)).created == 4
    with read_only(engine) as session:
        rows = session.exec(
            select(LetterOfIntent.currency, LetterOfIntent.status, LetterOfIntent.instrument)
        ).all()
    assert sorted((c, s.value, i.value) for c, s, i in rows) == [
        ("KRW", "expired", "loan"),
        ("KRW", "received", "rcps"),
        ("KRW", "withdrawn", "common"),
        ("USD", "converted", "convertible_note"),
    ]
    follow_ups = (
        "기업명,투자사,기한,방법,상태\n"
        "그린그리드,가벤처스,2018. 10. 1,전화,완료\n"
        "그린그리드,A엔젤,2018.10.02.,미팅,예정\n"
    )
    assert run(engine, "followups", put(tmp_path, "f.csv", follow_ups)).created == 2
    with read_only(engine) as session:
        assert len(session.exec(select(FollowUp)).all()) == 2


def test_english_headers_of_a_public_funding_data_set(engine: Engine, tmp_path: Path) -> None:
    run(engine, "startups", put(tmp_path, "s.csv", "Company Name,Industry Vertical\nGreenGrid,Energy\n"))
    run(
        engine,
        "investors",
        put(tmp_path, "i.csv", "Investors Name,Investor Type\nHanbit Ventures,Venture Capital\n"),
    )
    report = run(engine, "lois", put(tmp_path, "funding.csv", corpus.PUBLIC_FUNDING))
    assert report.created == 1 and report.ignored_columns == ["Sr No", "Industry Vertical"]
    with read_only(engine) as session:
        loi = session.exec(select(LetterOfIntent)).one()
        deal = session.get(Deal, loi.deal_id)
    assert (loi.currency, loi.amount_minor, loi.conditions) == ("USD", 200_000_000, "Seed")  # $2,000,000.00
    assert deal is not None
