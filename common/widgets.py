"""Form widgets shared by the areas."""

from django import forms


class DateInput(forms.DateInput):
    """``<input type=date>``: the browser shows the date in the user's format but only takes ISO values,
    so the value is always written as YYYY-MM-DD, whatever the page's language (a Danish 01.01.2027 would
    leave the field empty)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """``<input type=time>`` with an HH:MM value in every language."""

    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")
