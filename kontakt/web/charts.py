"""Charts drawn on the server as SVG: bars and step lines over a row of intervals.

The page's table beside each chart holds the same figures, so the chart is an image with a
summary for screen readers (role="img" and a title) rather than a second data table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 960, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 34


@dataclass
class Series:
    name: str
    values: Sequence[float | None]
    css: str  # kt-chart-<css> colours it; "bar" series are bars, the others step lines
    bar: bool = False


@dataclass
class Chart:
    title: str
    labels: Sequence[str]  # one per interval; "" for a gap between days
    series: list[Series] = field(default_factory=list)
    percent: bool = False  # values are shares shown 0–100 %


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def render(chart: Chart) -> SafeString:
    """Return the chart as inline SVG."""
    count = max(1, len(chart.labels))
    top = (
        1.0
        if chart.percent
        else _nice_top(max((v for s in chart.series for v in s.values if v is not None), default=0))
    )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / count

    def x(i: float) -> float:
        return LEFT + i * slot

    def y(v: float) -> float:
        return TOP + plot_h * (1 - min(v, top) / top)

    parts: list[SafeString] = []
    for k in range(5):
        value = top * k / 4
        text = f"{value * 100:.0f} %" if chart.percent else f"{value:g}"
        parts.append(
            format_html(
                '<line class="kt-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="kt-chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y(value):.1f}",
                f"{y(value):.1f}",
                LEFT - 4,
                f"{y(value) + 4:.1f}",
                text,
            )
        )
    every = max(1, math.ceil(count / 16))
    for i, label in enumerate(chart.labels):
        if label and i % every == 0:
            parts.append(
                format_html(
                    '<text class="kt-chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x(i + 0.5):.1f}",
                    HEIGHT - BOTTOM + 14,
                    label,
                )
            )
    bars = [s for s in chart.series if s.bar]
    width = slot * 0.8 / max(1, len(bars))
    for b, series in enumerate(bars):
        parts.append(
            format_html_join(
                "",
                '<rect class="kt-chart-{}" x="{}" y="{}" width="{}" height="{}"/>',
                (
                    (
                        series.css,
                        f"{x(i) + slot * 0.1 + b * width:.1f}",
                        f"{y(v):.1f}",
                        f"{width:.1f}",
                        f"{TOP + plot_h - y(v):.1f}",
                    )
                    for i, v in enumerate(series.values)
                    if v
                ),
            )
        )
    for series in chart.series:
        if series.bar:
            continue
        points: list[str] = []
        runs: list[str] = []
        for i, v in enumerate(series.values):
            if v is None or not chart.labels[i]:
                if points:
                    runs.append(" ".join(points))
                points = []
                continue
            points += [f"{x(i):.1f},{y(v):.1f}", f"{x(i + 1):.1f},{y(v):.1f}"]
        if points:
            runs.append(" ".join(points))
        parts.append(
            format_html_join(
                "",
                '<polyline class="kt-chart-{}" points="{}"/>',
                ((series.css, run) for run in runs),
            )
        )
    legend = format_html_join(
        "",
        '<li><span class="kt-chart-key kt-chart-{}" aria-hidden="true"></span>{}</li>',
        ((s.css, s.name) for s in chart.series),
    )
    return format_html(
        '<figure class="kt-chart"><svg viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<title>{}</title>{}</svg><figcaption><ul class="kt-chart-legend">{}</ul>'
        "</figcaption></figure>",
        WIDTH,
        HEIGHT,
        chart.title,
        chart.title,
        SafeString("".join(parts)),
        legend,
    )
