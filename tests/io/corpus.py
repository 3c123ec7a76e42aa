"""A corpus of real-world and hostile spreadsheets, made as bytes so every case is exact.

Each builder returns the file's bytes (or writes a workbook) the way the program that makes such
files in the wild would: Korean Excel's CP949 without a BOM, LibreOffice's XLSX with date-time
cells, a public funding data set's English headers, and files broken on purpose.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

#: Names the importer must keep exactly, byte for byte.
GREENGRID = "(주)그린그리드"


def late_korean_cp949(ascii_rows: int = 45) -> bytes:
    """A startups CSV in CP949 whose first Korean character comes after many ASCII rows: a
    sample-based detector calls it cp1252 and garbles every Korean name."""
    lines = ["name,sector"]
    lines += [f"Startup {n:03d},energy" for n in range(ascii_rows)]
    lines += [f"{GREENGRID},스마트 에너지", "주식회사 에어센스,환경"]
    return ("\r\n".join(lines) + "\r\n").encode("cp949")


def utf8_with_one_cp949_row(rows: int, bad_line: int) -> bytes:
    """A UTF-8 startups CSV (Korean throughout) with one row saved in CP949 at physical ``bad_line``."""
    out = ["기업명,분야\n".encode()]
    for line in range(2, rows + 2):
        text = f"스타트업{line},에너지\n"
        out.append(text.encode("cp949") if line == bad_line else text.encode())
    return b"".join(out)


def mixed_encodings() -> bytes:
    """Rows pasted together from a UTF-8 file and a CP949 one: neither reading is right."""
    return "기업명,분야\n가나다,에너지\n".encode() + "라마바,환경\n".encode("cp949")


def lois_with_unclosed_quote(quote_line: int = 30, closing_line: int = 61, rows: int = 70) -> bytes:
    """An LOI file where a cell on ``quote_line`` opens a quote that a stray quote on
    ``closing_line`` closes: every row between would be swallowed into one cell."""
    lines = ["기업명,투자사,금액,접수일,비고"]
    for line in range(2, rows + 2):
        note = ""
        if line == quote_line:
            note = '"실사 조건'
        elif line == closing_line:
            note = '검토 중"'
        lines.append(f"그린그리드,한빛벤처스,{line}천만,2018.09.19,{note}")
    return ("\n".join(lines) + "\n").encode()


def lois_with_quote_open_to_the_end(quote_line: int = 5) -> bytes:
    lines = ["기업명,투자사,금액,접수일,비고"]
    for line in range(2, 9):
        note = '"열린 따옴표' if line == quote_line else ""
        lines.append(f"그린그리드,한빛벤처스,{line}천만,2018.09.19,{note}")
    return ("\n".join(lines) + "\n").encode()


def libreoffice_lois_xlsx(path: Path) -> Path:
    """An XLSX as LibreOffice saves it: a date-time cell, a plain date cell, numbers as numbers,
    Korean headers; the header row is not the first row (a title above it, then a blank row)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["WSCW 2018 IR 결과"])
    sheet.append([])
    sheet.append(["기업명", "투자사", "금액", "통화", "접수일", "투자방식"])
    sheet.append(
        ["그린그리드", "한빛벤처스", 300_000_000, "원", datetime(2018, 9, 21, 14, 30), "상환전환우선주"]
    )
    sheet.append(["에어센스", "한빛벤처스", "1억 5천만", "₩", datetime(2018, 9, 19), "보통주"])
    workbook.save(path)
    return path


#: A public funding data set's headers (startup-funding CSVs on Kaggle and similar).
PUBLIC_FUNDING = (
    "Sr No,Date,Startup Name,Industry Vertical,Investors Name,Amount in USD,Remarks\n"
    '1,2018-09-19,GreenGrid Pvt. Ltd.,Energy,Hanbit Ventures,"2,000,000",Seed\n'
)


#: Names that try to mention, link or format in a chat tool, or to run in a page: each must reach
#: a channel as the words it is, nothing more.
HOSTILE_NAMES = (
    "A&B <!channel> <https://evil.example|click here>",
    "<@U012AB3CD> <!here> <!subteam^S0614TZR7> <#C024BE91L>",
    "[link](https://evil.example) **bold** __under__ _it_ *em* ~~gone~~ ~strike~",
    "`code` ```block``` ![img](https://evil.example/x.png)",
    "https://evil.example www.evil.example mail@evil.example",
    "<script>alert(1)</script> <img src=x onerror=alert(1)>",
    "&lt;not a tag&gt; &amp; \\*escaped\\* | a | table |",
    "(주)그린<그리드> & 파트너스 *1억*",
)
