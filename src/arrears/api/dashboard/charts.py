"""Charts drawn on the server as inline SVG: no JavaScript, no library, nothing to vendor.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``; every bar carries its own
``<title>`` (shown on hover, read by screen readers) and ``data-*`` attributes with its series, category
and amount in minor units. The page puts the same numbers in a table beside the chart. Colours keep at
least 3:1 contrast with the white background, and adjacent segments are parted by a white rule.

Text stays readable at any width because a chart is never shrunk far: each is drawn for the width it
is shown at (``width``: 1000 for a desktop page, ``NARROW`` for a phone), the page shows the one that
fits (CSS), and the narrow one has fewer ticks, shorter labels, a legend that wraps and period labels
thinned so that none overlaps. The CSS keeps a chart between 85 % and 140 % of its drawn size, so its
13-unit text is 11 to 18 px on screen; below that its figure scrolls sideways, not the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 1000  # about the width of the page, so the chart's text is drawn at the page's size
NARROW = 340  # a phone's page width less its margins
FONT_SIZE = 13
FONT = f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}"'
CHAR = 7.2  # the average advance of a character at FONT_SIZE, for spacing labels
WIDE_CHAR = 8.4  # a wide one (capitals, W, M): what a label cut to fit is measured in
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


def fit(label: str, room: float) -> str:
    """``label`` cut to what ``room`` units hold, with an ellipsis when cut."""
    most = max(int(room / WIDE_CHAR), 2)
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def every(count: int, label_chars: int, room: float) -> int:
    """Label every n-th of ``count`` evenly spaced categories so that labels of ``label_chars`` fit."""
    need = label_chars * CHAR + 8
    n = 1
    while count and room / count * n < need:
        n += 1
    return n


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}" {FONT}{extra}>{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, series: Series, bar: Bar, value: int, fmt: Format) -> str:
    tip = f"{bar.label} — {series.label}: {fmt(value)}"
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{series.color}" stroke="#fff" '
            f'stroke-width="1" data-series="{escape(series.key)}" data-label="{escape(bar.label)}" '
            f'data-amount="{value}"><title>{escape(tip)}</title></rect>')


def _frame(chart_id: str, title: str, desc: str, height: int, body: list[str], series: Sequence[Series],
           width: int = WIDTH) -> Markup:
    legend, x, y = [], 0.0, 0.0
    for s in series:
        step = 28 + CHAR * len(s.label)
        if x and x + step - 12 > width:  # the legend wraps rather than runs off the chart
            x, y = 0.0, y + 20
        legend.append(f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="12" height="12" fill="{s.color}"/>')
        legend.append(_text(x + 16, y + 14, s.label))
        x += step
    head = int(y) + 28
    total = height + head
    variant = "narrow" if width < WIDTH else "wide"
    return Markup(
        f'<svg class="chart {variant}" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {total}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>'
        f'<g class="legend" aria-hidden="true">{"".join(legend)}</g>'
        f'<g transform="translate(0 {head})">{"".join(body)}</g></svg>'
    )


def stacked_bars(chart_id: str, title: str, desc: str, series: Sequence[Series], bars: Sequence[Bar],
                 fmt: Format, *, label_width: int = 200, width: int = WIDTH, ticks: int = 4,
                 tick_fmt: Format | None = None) -> Markup:
    """Horizontal bars, one per ``Bar``, each stacked by ``series`` (the aging chart)."""
    row, top_pad = 30, 20
    height = top_pad + row * len(bars) + 8
    tick_text = tick_fmt or fmt
    peak = max([sum(max(b.values.get(s.key, 0), 0) for s in series) for b in bars] or [0])
    step = nice_step(peak, ticks)
    scale_top = max(step * -(-peak // step), step)
    plot = width - label_width - 8 - WIDE_CHAR * len(tick_text(scale_top)) / 2  # room for the last tick's label
    nth = every(max(scale_top // step, 1), len(tick_text(scale_top)), plot)
    body = []
    for n, tick in enumerate(range(0, scale_top + 1, step)):
        x = label_width + plot * tick / scale_top
        body.append(f'<line x1="{x:.1f}" y1="{top_pad - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="{GRID}"/>')
        if n % nth == 0:
            body.append(_text(x, top_pad - 8, tick_text(tick), "middle"))
    for i, bar in enumerate(bars):
        y = top_pad + i * row
        body.append(_text(label_width - 8, y + row / 2 + 4, fit(bar.label, label_width - 12), "end"))
        x = float(label_width)
        for s in series:
            value = max(bar.values.get(s.key, 0), 0)
            if value:
                w = plot * value / scale_top
                body.append(_rect(x, y + 4, w, row - 8, s, bar, value, fmt))
                x += w
    return _frame(chart_id, title, desc, height, body, series, width)


def grouped_bars(chart_id: str, title: str, desc: str, series: Sequence[Series], bars: Sequence[Bar],
                 fmt: Format, *, height: int = 260, width: int = WIDTH, ticks: int = 4,
                 tick_fmt: Format | None = None) -> Markup:
    """Vertical bars, one group per ``Bar`` (a period), one bar per series (write-offs and recoveries).
    When the periods' labels would overlap, only every n-th is written (each bar still names itself)."""
    tick_text = tick_fmt or fmt
    peak = max([max(b.values.get(s.key, 0), 0) for b in bars for s in series] or [0])
    step = nice_step(peak, ticks)
    scale_top = max(step * -(-peak // step), step)
    left, bottom, top_pad = int(CHAR * len(tick_text(scale_top))) + 14, 28, 12
    plot_h = height - bottom - top_pad
    plot_w = width - left - 8
    body = []
    for tick in range(0, scale_top + 1, step):
        y = top_pad + plot_h - plot_h * tick / scale_top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, tick_text(tick), "end"))
    group = plot_w / max(len(bars), 1)
    bar_w = min(group * 0.8 / max(len(series), 1), 48)
    nth = every(len(bars), max((len(b.label) for b in bars), default=0), plot_w)
    for i, bar in enumerate(bars):
        start = left + i * group + (group - bar_w * len(series)) / 2
        for j, s in enumerate(series):
            value = max(bar.values.get(s.key, 0), 0)
            h = plot_h * value / scale_top
            body.append(_rect(start + j * bar_w, top_pad + plot_h - h, bar_w, h, s, bar, value, fmt))
        if (len(bars) - 1 - i) % nth == 0:  # the latest period always keeps its label
            body.append(_text(left + (i + 0.5) * group, height - 8, bar.label, "middle"))
    return _frame(chart_id, title, desc, height, body, series, width)
