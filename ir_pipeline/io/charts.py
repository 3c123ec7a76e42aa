"""Small SVG bar charts for reports: no script, no external font or file, text escaped."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

BAR_COLOURS = ["#6b7280", "#94a3b8", "#2563eb", "#0891b2", "#9333ea", "#16a34a", "#dc2626", "#d97706"]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    note: str = ""


def bar_chart(bars: list[Bar], *, title: str, width: int = 640) -> str:
    """A horizontal bar chart as a standalone ``<svg>`` element."""
    row, top, label_width, value_width = 26, 34, 120, 240
    height = top + row * len(bars) + 12
    widest = max((b.value for b in bars), default=0) or 1
    track = width - label_width - value_width - 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-weight="bold" font-size="15">{escape(title)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = round(track * bar.value / widest)
        colour = BAR_COLOURS[i % len(BAR_COLOURS)]
        parts.append(f'<text x="0" y="{y + 16}">{escape(bar.label)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{track}" height="16" fill="#e5e7eb" rx="3"/>'
        )
        if length:
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="16" fill="{colour}" rx="3"/>'
            )
        text = f"{bar.value}" + (f" · {bar.note}" if bar.note else "")
        parts.append(f'<text x="{label_width + track + 8}" y="{y + 16}">{escape(text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
