"""Small inline SVG charts drawn by the package: horizontal bar charts and histograms.

The report must work offline for years, so charts are plain SVG elements written into
the page (no JavaScript library, no fonts, no external file).  Each bar is a
``<rect class="bar">`` with a ``<title>`` (its tooltip); a bar's label may link to a
section of the page.  Output is deterministic text (pure functions).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .figures import Histogram

ROW_HEIGHT = 18           # px per bar of a horizontal chart
BAR_THICKNESS = 13
LABEL_WIDTH = 210         # px for the labels left of the bars
VALUE_WIDTH = 70          # px for the count right of the longest bar
CHART_WIDTH = 720
LABEL_MAX_CHARS = 32      # longer labels are cut (the full one is in the tooltip)
HIST_HEIGHT = 120         # px of the tallest histogram bar
HIST_BIN_WIDTH = 52


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str
    href: str | None = None
    tip: str = ""


def _label(bar: Bar, x: int, y: int) -> str:
    text = bar.label if len(bar.label) <= LABEL_MAX_CHARS else bar.label[:LABEL_MAX_CHARS - 1] + "…"
    node = f'<text x="{x}" y="{y}" text-anchor="end">{escape(text)}</text>'
    if bar.href:
        node = f'<a href="{escape(bar.href)}">{node}</a>'
    return node


def bar_chart(bars: list[Bar], *, css_class: str, title: str) -> str:
    """A horizontal bar chart, one row per bar, longest bar = the largest value."""
    top = max((b.value for b in bars), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 4
    out = [f'<svg class="chart {escape(css_class)}" role="img" width="{CHART_WIDTH}" height="{height}" '
           f'viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(title)}</title>"]
    for i, bar in enumerate(bars):
        y = i * ROW_HEIGHT + 2
        length = max(1, round(span * bar.value / top)) if bar.value else 0
        tip = bar.tip or f"{bar.label}: {bar.value:,}"
        out.append(_label(bar, LABEL_WIDTH - 6, y + BAR_THICKNESS - 2))
        out.append(f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_THICKNESS}" '
                   f'fill="{escape(bar.colour)}"><title>{escape(tip)}</title></rect>')
        out.append(f'<text class="value" x="{LABEL_WIDTH + length + 4}" y="{y + BAR_THICKNESS - 2}">'
                   f"{bar.value:,}</text>")
    out.append("</svg>")
    return "".join(out)


def histogram_chart(hist: Histogram, *, css_class: str, colour: str = "#4a78b0") -> str:
    """Vertical bars, one per bin, labelled below and counted above."""
    top = max(hist.counts, default=0) or 1
    width = HIST_BIN_WIDTH * len(hist.counts) + 8
    height = HIST_HEIGHT + 40
    base = HIST_HEIGHT + 16
    out = [f'<svg class="chart hist {escape(css_class)}" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(hist.title)}</title>"]
    for i, (label, n) in enumerate(zip(hist.labels, hist.counts)):
        x = 4 + i * HIST_BIN_WIDTH
        h = max(1, round(HIST_HEIGHT * n / top)) if n else 0
        mid = x + HIST_BIN_WIDTH // 2
        out.append(f'<rect class="bar" x="{x + 3}" y="{base - h}" width="{HIST_BIN_WIDTH - 6}" height="{h}" '
                   f'fill="{colour}"><title>{escape(label)}: {n:,} pages</title></rect>')
        out.append(f'<text class="value" x="{mid}" y="{base - h - 3}" text-anchor="middle">{n:,}</text>')
        out.append(f'<text x="{mid}" y="{base + 14}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<line x1="4" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#888"/></svg>')
    return "".join(out)
