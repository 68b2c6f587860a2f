"""The overview chart: a stacked bar chart as inline SVG, drawn on the server."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import formats
from invoicing.selectors import ChartBar

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
SERIES = [
    ("subscriptions", _("Subscriptions"), "chart-subscriptions"),
    ("usage", pgettext_lazy("telephone usage", "Usage"), "chart-usage"),
    ("one_off", _("One-off"), "chart-one-off"),
]


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


def _nice_ceiling(value: int) -> int:
    if value <= 0:
        return 100
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def stacked_bar_chart(bars: list[ChartBar]) -> dict:
    """Geometry for the template (no floats reach money: they only place pixels)."""
    peak = _nice_ceiling(max((max(b.total, 0) for b in bars), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    bar_w = slot * 0.6
    rects, labels = [], []
    for i, bar in enumerate(bars):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        for key, label, css in SERIES:
            value = max(getattr(bar, key), 0)
            h = plot_h * value / peak
            if h > 0:
                y -= h
                rects.append(
                    Rect(
                        round(x, 1),
                        round(y, 1),
                        round(bar_w, 1),
                        round(h, 1),
                        css,
                        f"{formats.period(bar.period)} · {label}: {formats.money(value)}",
                    )
                )
        labels.append({"x": round(x + bar_w / 2, 1), "text": formats.period_short(bar.period)})
    ticks = [
        {"y": round(TOP + plot_h - plot_h * f, 1), "label": formats.number(int(peak * f) // 100)}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "rects": rects,
        "labels": labels,
        "ticks": ticks,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": TOP + plot_h,
        "label_y": HEIGHT - 8,
        "series": SERIES,
    }
