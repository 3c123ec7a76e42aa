"""Reports as people print and read them: Chromium's own PDF printer (``--print-to-pdf``) prints
the startup report of a startup with ten LOIs on one A4 page and the event report with each
section whole; Markdown reports link their chart as an SVG file beside them, which markdown-it
renders as an image, and never carry a ``data:`` URI."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

from markdown_it import MarkdownIt
from sqlalchemy.engine import Engine

from ir_pipeline.db import make_engine, unit_of_work
from ir_pipeline.drafts import FollowUpDraft, InvestorDraft, StartupDraft
from ir_pipeline.services import deals, followups, lois, records
from tests.conftest import STAFF, fresh_sqlite_url
from tests.helpers import loi
from tests.real_programs import find, needs, run
from tests.test_cli import irp

pytestmark = needs("chromium", "pdfinfo", "pdftotext")


def print_pdf(html: Path) -> Path:
    chromium = find("chromium")
    assert chromium is not None
    pdf = html.with_suffix(".pdf")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={html.parent / 'chromium'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert pdf.is_file(), "Chromium printed nothing"
    return pdf


def page_texts(pdf: Path) -> list[str]:
    return run("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


def ten_lois(engine: Engine) -> None:
    """A startup with ten LOIs from ten investors, each deal with its next follow-up."""
    with unit_of_work(engine) as s:
        startup = records.create_startup(
            s, actor=STAFF, draft=StartupDraft(name="(주)스마트그리드 솔루션즈", sector="Smart energy")
        )
        for n in range(10):
            investor = records.create_investor(
                s, actor=STAFF, draft=InvestorDraft(name=f"한빛 Smart City Growth Fund No.{n + 1}")
            )
            deal = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id)
            received = date(2026, 9, 1) + timedelta(days=n)
            lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi(f"{n + 1}억 5천만", received))
            followups.add_follow_up(
                s,
                actor=STAFF,
                deal_id=deal.id,
                draft=FollowUpDraft(date(2026, 12, 1) + timedelta(days=n), note="Send the data room link"),
            )


def test_the_startup_report_of_ten_lois_prints_on_one_a4_page(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    ten_lois(engine)
    engine.dispose()
    html = tmp_path / "startup.html"
    code, _out, err = irp("report", "startup", "스마트그리드", "-f", "html", "-o", str(html), db=sqlite_url)
    assert code == 0, err
    pdf = print_pdf(html)
    info = run("pdfinfo", str(pdf))
    assert re.search(r"Pages:\s+1\n", info), info
    width, height = (float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4 portrait
    (text,) = page_texts(pdf)
    for n in range(1, 11):  # every LOI and every next step is on the page
        assert f"No.{n}" in text
    assert "2026-09-10" in text and "2026-12-10" in text  # dates whole, never broken at a hyphen


def test_a_long_event_report_breaks_between_rows_with_its_header_repeated(
    sqlite_demo_template: Path, tmp_path: Path
) -> None:
    db = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    engine = make_engine(db)
    with unit_of_work(engine) as s:  # forty more investors at the demo's session
        startup = records.create_startup(s, actor=STAFF, draft=StartupDraft(name="Forty Rounds"))
        for n in range(40):
            investor = records.create_investor(
                s, actor=STAFF, draft=InvestorDraft(name=f"Partner Fund {n:02d}")
            )
            deal = deals.open_deal(s, actor=STAFF, startup_id=startup.id, investor_id=investor.id, event_id=1)
            lois.add_loi(s, actor=STAFF, deal_id=deal.id, draft=loi("1억", date(2018, 9, 20)))
    engine.dispose()
    html = tmp_path / "event.html"
    assert irp("report", "event", "WSCW", "-f", "html", "-o", str(html), db=db)[0] == 0
    pages = page_texts(print_pdf(html))
    assert len(pages) >= 2
    headings = ("Conversion to later stages", "Per startup", "Per investor")
    for page in pages:
        lines = [line.split() for line in page.splitlines() if line.strip()]
        assert " ".join(lines[-1]) not in headings, "a heading was left at the bottom of a page"
    for heading, column in zip(headings, ("Deals now", "LOI total", "LOI total"), strict=True):
        (page,) = [p for p in pages if heading in p]
        assert column in page.split(heading, 1)[1]  # its table starts on the same page, header first
    continued = [p for p in pages if "Per investor" not in p and "Partner Fund" in p]
    assert continued, "the investor table did not run onto another page"
    for page in continued:  # the header row comes again at the top of the next page
        first = next(line for line in page.splitlines() if line.strip())
        assert first.split() == ["Investor", "LOIs", "LOI", "total", "Funded"]
    names = [f"Partner Fund {n:02d}" for n in range(40)]
    assert all(sum(name in p for p in pages) == 1 for name in names)  # no row split or lost


def test_markdown_links_its_chart_as_a_file_beside_it(sqlite_demo_template: Path, tmp_path: Path) -> None:
    db = fresh_sqlite_url(sqlite_demo_template, tmp_path)
    out = tmp_path / "IR 결과.md"
    code, _out, err = irp("report", "event", "WSCW", "-o", str(out), db=db)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "data:" not in text and "base64" not in text
    chart = tmp_path / "IR 결과.chart.svg"
    assert chart.read_text(encoding="utf-8").startswith("<svg")
    (src,) = re.findall(r'<img src="([^"]+)"', MarkdownIt("commonmark").render(text))
    from urllib.parse import unquote

    assert (tmp_path / unquote(src)) == chart
    code, _out, _ = irp("report", "event", "WSCW", "-o", str(tmp_path / "plain.md"), "--no-chart", db=db)
    assert code == 0 and not (tmp_path / "plain.chart.svg").exists()
    assert "<img" not in MarkdownIt("commonmark").render((tmp_path / "plain.md").read_text(encoding="utf-8"))
    code, shown, _ = irp("report", "event", "WSCW", db=db)  # on the terminal: no image at all
    assert code == 0 and "![" not in shown and "data:" not in shown
