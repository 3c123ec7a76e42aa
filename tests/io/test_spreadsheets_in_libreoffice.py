"""XLSX exports as LibreOffice reads and prints them: each workbook is converted by headless
LibreOffice to CSV (what it shows in the cells) and to PDF (what it prints), and those are read
back: every line of a multi-line cell shows, the LOI sheet prints on one landscape page with its
header repeated, conversion reads as a percentage, and the funnel's columns sum to its totals."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.services import lois
from tests.conftest import STAFF, fresh_sqlite_url
from tests.helpers import loi
from tests.real_programs import needs, run
from tests.test_cli import irp

pytestmark = needs("soffice", "pdfinfo", "pdftotext")

CONDITIONS = "실사 후 확정\nSecond line: board approval"


def convert(xlsx: Path, to: str, sheet: int = 1) -> Path:
    """``soffice --convert-to`` with a profile of its own (parallel tests never share one)."""
    profile = (xlsx.parent / "lo-profile").as_uri()
    target = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false," + str(sheet)
    run(
        "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        target if to == "csv" else to,
        "--outdir",
        str(xlsx.parent),
        str(xlsx),
    )
    made = sorted(xlsx.parent.glob(f"{xlsx.stem}*.{to}"), key=lambda p: p.stat().st_mtime)
    assert made, f"LibreOffice made no {to} of {xlsx.name}"
    return made[-1]


def cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def wrapped_texts(fods: Path) -> set[str]:
    """The texts of the cells LibreOffice wraps, from its flat ODF document."""
    from xml.etree import ElementTree

    ns = {
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    }
    root = ElementTree.parse(fods).getroot()
    wrapping = {
        style.get(f"{{{ns['style']}}}name")
        for style in root.iter(f"{{{ns['style']}}}style")
        for props in style.iter(f"{{{ns['style']}}}table-cell-properties")
        if props.get(f"{{{ns['fo']}}}wrap-option") == "wrap"
    }
    return {
        "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{ns['text']}}}p"))
        for cell in root.iter(f"{{{ns['table']}}}table-cell")
        if cell.get(f"{{{ns['table']}}}style-name") in wrapping
    }


def pages(pdf: Path) -> int:
    info = run("pdfinfo", str(pdf))
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def demo_db(sqlite_demo_template: Path, tmp_path: Path) -> str:
    return fresh_sqlite_url(sqlite_demo_template, tmp_path)


@pytest.fixture
def exported(demo_db: str, tmp_path: Path) -> dict[str, Path]:
    engine = make_engine(demo_db)
    with unit_of_work(engine) as session:  # an LOI whose conditions run to two lines
        lois.add_loi(
            session, actor=STAFF, deal_id=1, draft=loi("1억", date(2018, 10, 1), conditions=CONDITIONS)
        )
    engine.dispose()
    out = {}
    for kind in ("lois", "funnel"):
        path = tmp_path / f"{kind}.xlsx"
        code, _out, err = irp("export", kind, "--format", "xlsx", "--out", str(path), db=demo_db)
        assert code == 0, err
        out[kind] = path
    return out


def test_the_loi_sheet_prints_on_one_landscape_page_with_every_line_of_a_cell(
    exported: dict[str, Path],
) -> None:
    pdf = convert(exported["lois"], "pdf")
    assert pages(pdf) == 1
    info = run("pdfinfo", str(pdf))
    width, height = (float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert width > height  # landscape
    text = run("pdftotext", "-layout", str(pdf), "-")
    for line in CONDITIONS.splitlines():
        assert line in text
    # LibreOffice's own reading of the cell: it wraps, so each line shows, not only the last
    fods = convert(exported["lois"], "fods")
    assert wrapped_texts(fods) == {CONDITIONS}
    assert "<table:table-header-rows>" in fods.read_text(encoding="utf-8")  # repeated on each page
    rows = cells(convert(exported["lois"], "csv"))
    assert rows[0][:3] == ["startup", "investor", "amount"]
    assert len(rows) == 1 + 27
    assert [r for r in rows if CONDITIONS in r]


def test_the_funnel_shows_percentages_and_its_columns_sum_to_the_totals(
    exported: dict[str, Path], demo_db: str
) -> None:
    import json

    rows = cells(convert(exported["funnel"], "csv"))
    header, stages = rows[0], rows[1:]
    assert header[:7] == ["stage", "deals", "reached", "conversion", "dropped", "lost_from", "amount_KRW"]
    by_stage = {r[0]: r for r in stages}
    assert by_stage["sourced"][3].endswith("%") and "." in by_stage["sourced"][3]
    figures = json.loads(irp("funnel", "--json", db=demo_db)[1])
    deals = sum(int(r[1]) for r in stages)
    assert deals == sum(s["deals"] for s in figures["stages"])  # each deal once: no double count
    won = sum(int(r[6].replace("₩", "").replace(",", "") or 0) for r in stages)
    assert won == sum(int(s["amount"].get("KRW", 0)) for s in figures["stages"])
    totals = cells(convert(exported["funnel"], "csv", sheet=2))
    assert [r[0] for r in totals] == ["figure", "lois_total", "funded_money"]
