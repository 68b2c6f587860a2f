"""Form widgets shared by the areas."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from common import formats


def date_format_hint() -> str:
    """'Day, month, year, e.g. 31.12.2026' in the page's language (31 December: day and month cannot be mixed up)."""
    example = formats.date(dt.date(timezone.localdate().year, 12, 31))
    return _("Day, month, year, e.g. %(example)s") % {"example": example}


class DateInput(forms.DateInput):
    """``<input type=date>``: the browser shows the date in the user's format but only takes ISO values,
    so the value is always written as YYYY-MM-DD, whatever the page's language (a Danish 01.01.2027 would
    leave the field empty).

    The browser draws the field in its own locale (an American browser asks for mm/dd/yyyy on a Danish
    page), and a browser without a date picker shows a plain text box: a visible hint under the field,
    tied to it with ``aria-describedby``, says which format the page means.
    """

    input_type = "date"
    template_name = "common/widgets/date.html"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        hint_id = f"{widget_attrs.get('id') or name}-format"
        # Keep what Django already points to (the help text, the errors).
        widget_attrs["aria-describedby"] = f"{widget_attrs.get('aria-describedby', '')} {hint_id}".strip()
        context["widget"]["format_hint"] = {"id": hint_id, "text": date_format_hint()}
        return context


class TimeInput(forms.TimeInput):
    """``<input type=time>`` with an HH:MM value in every language."""

    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")
