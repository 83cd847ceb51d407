"""Server-rendered SVG charts (no JavaScript): the stance distribution and submissions over time.

Accessibility: each chart is `role="img"` with a `<title>` and a `<desc>` that say in words what it
shows, and the page puts the same numbers in a table next to it. Colour is never the only signal:
every stance has its own fill pattern as well as its colour, segments wide enough carry their
percentage, and the legend shows pattern, colour and name. Right-to-left pages get the bars drawn
from the right. Only presentation attributes are used (fill=, stroke=): the CSP forbids inline
style. Ids are prefixed per chart, so several charts can share a page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from consult.vocab import Stance

# Colour-blind-safe palette (Okabe–Ito), one pattern each: print and greyscale still separate them.
COLOURS = {
    Stance.AGREE: "#0072B2",
    Stance.PARTLY: "#56B4E9",
    Stance.DISAGREE: "#D55E00",
    Stance.NOT_SURE: "#E69F00",
    Stance.SKIPPED: "#999999",
}
HIDDEN_COLOUR = "#dddddd"
PATTERNS = {
    Stance.AGREE: "",  # solid
    Stance.PARTLY: '<path d="M0 8 L8 0" stroke="#ffffff" stroke-width="2"/>',
    Stance.DISAGREE: '<path d="M0 0 L8 8 M8 0 L0 8" stroke="#ffffff" stroke-width="1.5"/>',
    Stance.NOT_SURE: '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>',
    Stance.SKIPPED: '<path d="M0 4 L8 4" stroke="#ffffff" stroke-width="1.5"/>',
    "hidden": '<path d="M0 0 L8 8" stroke="#888888" stroke-width="1"/>',
}
WIDTH = 600
BAR = 28


@dataclass(frozen=True)
class Segment:
    key: str  # a stance, or "hidden" for the counts that cannot be shown
    label: str
    count: int


def _defs(prefix: str, keys: Sequence[str]) -> str:
    parts = []
    for key in keys:
        colour = HIDDEN_COLOUR if key == "hidden" else COLOURS[key]
        parts.append(
            f'<pattern id="{prefix}-{key}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{PATTERNS[key]}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def stance_bar(
    prefix: str,
    title: str,
    description: str,
    segments: Sequence[Segment],
    percent: Callable[[float], str],
    rtl: bool = False,
) -> Markup:
    """One horizontal bar split by stance, with a legend underneath."""
    total = sum(s.count for s in segments)
    keys = [s.key for s in segments]
    legend_rows = (len(segments) + 2) // 3
    height = BAR + 12 + legend_rows * 22
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{prefix}-t {prefix}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(description)}</desc>',
        _defs(prefix, keys),
    ]
    x = 0.0
    for segment in segments:
        if not total or not segment.count:
            continue
        width = WIDTH * segment.count / total
        left = WIDTH - x - width if rtl else x
        out.append(
            f'<rect x="{left:.1f}" y="0" width="{width:.1f}" height="{BAR}" '
            f'fill="url(#{prefix}-{segment.key})" stroke="#ffffff" stroke-width="1"/>'
        )
        if width >= 44 and segment.key != "hidden":
            out.append(
                f'<text x="{left + width / 2:.1f}" y="{BAR / 2 + 5}" text-anchor="middle" '
                f'font-size="13" fill="#000000" stroke="#ffffff" stroke-width="3" '
                f'paint-order="stroke">{escape(percent(segment.count / total))}</text>'
            )
        x += width
    for index, segment in enumerate(segments):
        column, line = index % 3, index // 3
        y = BAR + 12 + line * 22
        left = column * (WIDTH / 3)
        if rtl:
            left = WIDTH - left - 16
            text_x, anchor = left - 6, "end"
        else:
            text_x, anchor = left + 22, "start"
        out.append(
            f'<rect x="{left:.1f}" y="{y}" width="16" height="16" '
            f'fill="url(#{prefix}-{segment.key})" stroke="#333333" stroke-width="0.5"/>'
            f'<text x="{text_x:.1f}" y="{y + 13}" font-size="13" text-anchor="{anchor}" '
            f'fill="#000000">{escape(segment.label)}</text>'
        )
    out.append("</svg>")
    # Every text in `out` went through escape(); the rest is numbers and this module's constants.
    return Markup("".join(out))  # nosec B704


def timeline_chart(
    prefix: str,
    title: str,
    description: str,
    points: Sequence[tuple[date, int | None]],
    day_label: Callable[[date], str],
    rtl: bool = False,
) -> Markup:
    """Submissions per period as columns; a period whose count is hidden gets a hatched stub."""
    height, base, top = 180, 150, 10
    shown = [count for _, count in points if count is not None]
    peak = max(shown, default=0) or 1
    step = WIDTH / max(len(points), 1)
    bar = max(step * 0.8, 1.0)
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{prefix}-t {prefix}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(description)}</desc>',
        _defs(prefix, ["hidden"]),
        f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#333333" stroke-width="1"/>',
    ]
    for index, (_, count) in enumerate(points):
        left = index * step if not rtl else WIDTH - (index + 1) * step
        if count is None:
            out.append(
                f'<rect x="{left:.1f}" y="{base - 6}" width="{bar:.1f}" height="6" '
                f'fill="url(#{prefix}-hidden)"/>'
            )
            continue
        h = (base - top) * count / peak
        out.append(
            f'<rect x="{left:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{COLOURS[Stance.AGREE]}"/>'
        )
    if points:
        first, last = day_label(points[0][0]), day_label(points[-1][0])
        start_x, end_x = (WIDTH, 0) if rtl else (0, WIDTH)
        start_anchor, end_anchor = ("end", "start") if rtl else ("start", "end")
        out.append(
            f'<text x="{start_x}" y="{base + 20}" font-size="12" text-anchor="{start_anchor}" '
            f'fill="#000000">{escape(first)}</text>'
            f'<text x="{end_x}" y="{base + 20}" font-size="12" text-anchor="{end_anchor}" '
            f'fill="#000000">{escape(last)}</text>'
        )
    out.append("</svg>")
    # Every text in `out` went through escape(); the rest is numbers and this module's constants.
    return Markup("".join(out))  # nosec B704
