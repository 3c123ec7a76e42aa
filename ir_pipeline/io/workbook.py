"""Writing export sheets as one XLSX workbook that opens and prints well in Excel and LibreOffice.

Cells are typed (amounts as numbers in their currency's format, ratios as percentages, dates as
dates, text as text that wraps when it has several lines). Each sheet is laid out for paper:
landscape A4, fitted to one page wide (as many tall as it needs), its header row repeated at the
top of every page, a title in the page header and "page N of M" in the footer. Rows are written
as they come (openpyxl's write-only mode), so a large export never sits in memory.
"""

from __future__ import annotations

from itertools import chain, islice
from typing import IO, TYPE_CHECKING, Any

from ir_pipeline.text import printable

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from ir_pipeline.io.export import Sheet

#: The height of one line of text in a row, in points (the default row's, for 11 pt text).
LINE_HEIGHT = 15
#: How a ratio is shown: 0.9412 as 94.1%.
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"


def _lay_out_for_paper(ws: WriteOnlyWorksheet, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    # the header and footer are codes of their own (&P is the page): a title's & is doubled
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"


def _write_sheet(workbook: Any, sheet: Sheet) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ir_pipeline.io.export import WIDTH_SAMPLE, Amount, Percent, currency_format, fitted_widths

    ws = workbook.create_sheet(sheet.name)
    ws.freeze_panes = "A2"
    _lay_out_for_paper(ws, sheet.title or sheet.name)
    sample = list(islice(sheet.rows, WIDTH_SAMPLE))
    for index, width in enumerate(fitted_widths(sheet.headers, sample), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    header = []
    for name in sheet.headers:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for row in chain(sample, sheet.rows):
        lines = max((v.count("\n") + 1 for v in row if isinstance(v, str)), default=1)
        if lines > 1:  # a row only grows to show them if it says how tall it is (LibreOffice)
            ws.row_dimensions[count + 2].height = LINE_HEIGHT * min(lines, 20)
        cells: list[Any] = []
        for value in row:
            if isinstance(value, Amount):
                cell = WriteOnlyCell(ws, value=value.value)
                cell.number_format = currency_format(value.currency)
                cells.append(cell)
            elif isinstance(value, Percent):
                cell = WriteOnlyCell(ws, value=value.value)
                cell.number_format = PERCENT_FORMAT
                cells.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(ws, value=printable(value))  # XML 1.0 holds no control characters
                cell.data_type = "s"  # text, even when it starts with "="
                if "\n" in value:
                    cell.alignment = wrapped  # every line shows, not only the last
                cells.append(cell)
            elif value is not None and hasattr(value, "isoformat"):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
        count += 1
    return count


def write_workbook(sheets: list[Sheet], out: IO[bytes]) -> int:
    """Write ``sheets`` as one workbook to ``out``; returns the first sheet's data rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    counts = [_write_sheet(workbook, sheet) for sheet in sheets]
    workbook.save(out)
    return counts[0]
