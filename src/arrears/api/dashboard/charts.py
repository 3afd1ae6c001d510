"""Charts drawn on the server as inline SVG: no JavaScript, no library, nothing to vendor.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``; every bar carries its own
``<title>`` (shown on hover, read by screen readers) and ``data-*`` attributes with its series, category
and amount in minor units. The page puts the same numbers in a table beside the chart. Colours keep at
least 3:1 contrast with the white background, and adjacent segments are parted by a white rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 1000  # about the width of the page, so the chart's text is drawn at the page's size
FONT = 'font-family="system-ui, sans-serif" font-size="13"'
INK = "#1f2933"
GRID = "#d2d6dc"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str


@dataclass(frozen=True)
class Bar:
    label: str
    values: dict[str, int]  # series key -> amount in minor units (negative amounts are drawn as 0)


Format = Callable[[int], str]


def nice_step(top: int, ticks: int = 4) -> int:
    """The smallest 1, 2 or 5 × 10^k that is at least ``top / ticks`` (1 for an empty chart)."""
    target = max(-(-top // ticks), 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude >= target:
                return factor * magnitude
        magnitude *= 10


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}" {FONT}{extra}>{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, series: Series, bar: Bar, value: int, fmt: Format) -> str:
    tip = f"{bar.label} — {series.label}: {fmt(value)}"
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{series.color}" stroke="#fff" '
            f'stroke-width="1" data-series="{escape(series.key)}" data-label="{escape(bar.label)}" '
            f'data-amount="{value}"><title>{escape(tip)}</title></rect>')


def _frame(chart_id: str, title: str, desc: str, height: int, body: list[str], series: Sequence[Series]) -> Markup:
    legend, x = [], 0.0
    for s in series:
        legend.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{s.color}"/>')
        legend.append(_text(x + 16, 14, s.label))
        x += 28 + 7.5 * len(s.label)
    total = height + 28
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {total}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>'
        f'<g class="legend" aria-hidden="true">{"".join(legend)}</g>'
        f'<g transform="translate(0 28)">{"".join(body)}</g></svg>'
    )


def stacked_bars(chart_id: str, title: str, desc: str, series: Sequence[Series], bars: Sequence[Bar],
                 fmt: Format, *, label_width: int = 200) -> Markup:
    """Horizontal bars, one per ``Bar``, each stacked by ``series`` (the aging chart)."""
    row, top_pad = 30, 20
    height = top_pad + row * len(bars) + 8
    plot = WIDTH - label_width - 48  # room for the last tick's label
    peak = max([sum(max(b.values.get(s.key, 0), 0) for s in series) for b in bars] or [0])
    step = nice_step(peak)
    scale_top = max(step * -(-peak // step), step)
    body = []
    for tick in range(0, scale_top + 1, step):
        x = label_width + plot * tick / scale_top
        body.append(f'<line x1="{x:.1f}" y1="{top_pad - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="{GRID}"/>')
        body.append(_text(x, top_pad - 8, fmt(tick), "middle"))
    for i, bar in enumerate(bars):
        y = top_pad + i * row
        body.append(_text(label_width - 8, y + row / 2 + 4, bar.label, "end"))
        x = float(label_width)
        for s in series:
            value = max(bar.values.get(s.key, 0), 0)
            if value:
                w = plot * value / scale_top
                body.append(_rect(x, y + 4, w, row - 8, s, bar, value, fmt))
                x += w
    return _frame(chart_id, title, desc, height, body, series)


def grouped_bars(chart_id: str, title: str, desc: str, series: Sequence[Series], bars: Sequence[Bar],
                 fmt: Format, *, height: int = 260) -> Markup:
    """Vertical bars, one group per ``Bar`` (a period), one bar per series (write-offs and recoveries)."""
    left, bottom, top_pad = 96, 28, 12
    plot_h = height - bottom - top_pad
    plot_w = WIDTH - left - 8
    peak = max([max(b.values.get(s.key, 0), 0) for b in bars for s in series] or [0])
    step = nice_step(peak)
    scale_top = max(step * -(-peak // step), step)
    body = []
    for tick in range(0, scale_top + 1, step):
        y = top_pad + plot_h - plot_h * tick / scale_top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 8}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, fmt(tick), "end"))
    group = plot_w / max(len(bars), 1)
    width = min(group * 0.8 / max(len(series), 1), 48)
    for i, bar in enumerate(bars):
        start = left + i * group + (group - width * len(series)) / 2
        for j, s in enumerate(series):
            value = max(bar.values.get(s.key, 0), 0)
            h = plot_h * value / scale_top
            body.append(_rect(start + j * width, top_pad + plot_h - h, width, h, s, bar, value, fmt))
        body.append(_text(left + (i + 0.5) * group, height - 8, bar.label, "middle"))
    return _frame(chart_id, title, desc, height, body, series)
