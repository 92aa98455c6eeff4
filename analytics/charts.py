"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing for the CSP to block."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .metrics import Series

WIDTH = 720
HEIGHT = 180
MARGIN_LEFT = 48
MARGIN_BOTTOM = 22
MARGIN_TOP = 8


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"


def bar_chart(series: Series, colour: str = "#1f6f4a") -> SafeString:
    """One bar per day; each bar has a tooltip with its date and value."""
    points = series.points
    peak = max((value for _, value in points), default=0) or 1
    plot_w = WIDTH - MARGIN_LEFT
    plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = plot_w / max(len(points), 1)
    bar_w = max(step * 0.8, 1)
    bars = []
    for index, (day, value) in enumerate(points):
        height = float(value) / float(peak) * plot_h
        x = MARGIN_LEFT + index * step + (step - bar_w) / 2
        y = MARGIN_TOP + plot_h - height
        bars.append(
            (
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_w:.1f}",
                f"{height:.1f}",
                colour,
                f"{day:%Y-%m-%d}",
                _number(value),
            )
        )
    first = points[0][0].strftime("%d %b") if points else ""
    last = points[-1][0].strftime("%d %b") if points else ""
    baseline = MARGIN_TOP + plot_h
    return format_html(
        '<svg class="analytics-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}: {total} in total" '
        'xmlns="http://www.w3.org/2000/svg" width="100%" preserveAspectRatio="none">'
        '<line x1="{left}" y1="{base}" x2="{w}" y2="{base}" stroke="#999" stroke-width="1"/>'
        '<text x="{textx}" y="{top}" font-size="11" text-anchor="end" dominant-baseline="hanging">{peak}</text>'
        '<text x="{textx}" y="{base}" font-size="11" text-anchor="end">0</text>'
        "{bars}"
        '<text x="{left}" y="{h}" font-size="11">{first}</text>'
        '<text x="{w}" y="{h}" font-size="11" text-anchor="end">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        label=series.label,
        total=_number(series.total),
        left=MARGIN_LEFT,
        base=baseline,
        textx=MARGIN_LEFT - 6,
        top=MARGIN_TOP,
        peak=_number(peak if points and max(v for _, v in points) else 0),
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
            bars,
        ),
        first=first,
        last=last,
    )
