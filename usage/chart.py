"""The dashboard's chart: cost per month stacked by kind of use, as inline SVG drawn on the server (like
``invoicing.chart``); the current month's forecast stands on top of its bar as an outlined block."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from common import formats

# The invoice chart's bar rectangle and axis rounding: one geometry for both charts.
from invoicing.chart import Rect
from invoicing.chart import _nice_ceiling as nice_ceiling

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
SERIES = [
    ("voice", _("Voice"), "chart-voice"),
    ("sms", _("Texts"), "chart-sms"),
    ("data", _("Data"), "chart-data"),
    ("roaming_eu", _("Roaming EU/EEA"), "chart-roaming-eu"),
    ("roaming_world", _("Roaming rest of world"), "chart-roaming-world"),
    ("premium", _("Premium services"), "chart-premium"),
]


def cost_chart(rows: list[dict[str, Any]], projected_charge: int | None = None) -> dict[str, Any]:
    """Geometry for the template: one bar per month (``rows`` oldest first); the last gets the forecast."""
    peak = nice_ceiling(max([row["charge"] for row in rows] + [projected_charge or 0]))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(rows), 1)
    bar_w = slot * 0.6
    rects, labels = [], []
    for i, row in enumerate(rows):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        month = formats.month(row["month"])
        for key, label, css in SERIES:
            value = max(row[f"{key}_charge"], 0)
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
                        f"{month} · {label}: {formats.money(value)}",
                    )
                )
        if i == len(rows) - 1 and projected_charge and projected_charge > row["charge"]:
            h = plot_h * (projected_charge - row["charge"]) / peak
            rects.append(
                Rect(
                    round(x, 1),
                    round(y - h, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    "chart-forecast",
                    f"{month} · {_('Forecast')}: {formats.money(projected_charge)}",
                )
            )
        labels.append({"x": round(x + bar_w / 2, 1), "text": formats.period_short(f"{row['month']:%Y-%m}")})
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
