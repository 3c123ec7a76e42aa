"""Small SVG bar charts for reports: no script, no external font or file.

The SVG is built with :mod:`xml.etree.ElementTree`, which quotes and escapes every attribute and
text node itself, so a name such as ``Xss" onload="…`` stays text: no string concatenation of
markup anywhere. Long titles wrap onto a second line and end with an ellipsis after that.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from rich.cells import cell_len

from ir_pipeline.text import printable

BAR_COLOURS = ["#6b7280", "#94a3b8", "#2563eb", "#0891b2", "#9333ea", "#16a34a", "#dc2626", "#d97706"]
SVG_NS = "http://www.w3.org/2000/svg"
#: Roughly how many half-width characters of the 15px title fit in one pixel of width.
_TITLE_CELL_PX = 8


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    note: str = ""


def fit_lines(text: str, cells: int, lines: int = 2) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of ``cells`` terminal cells (CJK counts double),
    at spaces where it can; whatever does not fit ends the last line with ``…``."""
    words = printable(text, keep_newlines=False).split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= cells:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        while cell_len(current) > cells:  # a single word longer than a line: cut it
            cut = _cut(current, cells)
            out.append(current[:cut])
            current = current[cut:]
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1]
        out = [*out[: lines - 1], last[: _cut(last, cells - 1)] + "…"]
    return out or [""]


def _cut(text: str, cells: int) -> int:
    """How many characters of ``text`` fit in ``cells`` cells."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return max(index, 1)
    return len(text)


def _rect(x: int, y: int, width: int, fill: str) -> dict[str, str]:
    return {"x": str(x), "y": str(y), "width": str(width), "height": "16", "fill": fill, "rx": "3"}


def bar_chart(bars: list[Bar], *, title: str, width: int = 640) -> str:
    """A horizontal bar chart as a standalone ``<svg>`` document."""
    row, label_width, value_width = 26, 120, 240
    title_lines = fit_lines(title, width // _TITLE_CELL_PX)
    top = 16 + 20 * len(title_lines)
    height = top + row * len(bars) + 12
    widest = max((b.value for b in bars), default=0) or 1
    track = width - label_width - value_width - 24
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-label": printable(title, keep_newlines=False),
            "font-family": "system-ui, sans-serif",
            "font-size": "13",
        },
    )
    ET.SubElement(svg, "title").text = printable(title, keep_newlines=False)
    for index, line in enumerate(title_lines):
        heading = ET.SubElement(
            svg, "text", {"x": "0", "y": str(18 + 20 * index), "font-weight": "bold", "font-size": "15"}
        )
        heading.text = line
    for i, bar in enumerate(bars):
        y = top + i * row
        length = round(track * bar.value / widest)
        colour = BAR_COLOURS[i % len(BAR_COLOURS)]
        ET.SubElement(svg, "text", {"x": "0", "y": str(y + 16)}).text = fit_lines(bar.label, 14, 1)[0]
        ET.SubElement(svg, "rect", _rect(label_width, y + 4, track, "#e5e7eb"))
        if length:
            ET.SubElement(svg, "rect", _rect(label_width, y + 4, length, colour))
        text = f"{bar.value}" + (f" · {bar.note}" if bar.note else "")
        ET.SubElement(svg, "text", {"x": str(label_width + track + 8), "y": str(y + 16)}).text = printable(
            text, keep_newlines=False
        )
    return ET.tostring(svg, encoding="unicode")
