import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common import formats
from companies.models import Company
from registry.scoping import cost_centre_limit
from subscriptions.forms import IdsMultipleChoiceField
from usage.dashboard import CENTRE_SORTS, USER_SORTS, add_months
from usage.models import ReportRecipient, ReportSchedule

MONTHS_BACK = 12
NO_COST_CENTRE = "-"  # ?cost_centre=- : the lines without a cost centre (empty: every line)


def month_choices(today: dt.date) -> list[tuple[str, str]]:
    this = today.replace(day=1)
    return [(f"{m:%Y-%m}", formats.month(m)) for m in (add_months(this, -offset) for offset in range(MONTHS_BACK + 1))]


SORT_KEYS = list(dict.fromkeys([*USER_SORTS, *CENTRE_SORTS]))
SORT_CHOICES = [(key, key) for key in SORT_KEYS] + [(f"-{key}", f"-{key}") for key in SORT_KEYS]


class UsageFilterForm(forms.Form):
    """The dashboard's filters (GET): bad values fall back to this month, the whole company, by cost."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=40, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["month"].choices = month_choices(today)  # type: ignore[attr-defined]

    def values(self) -> tuple[dt.date, str | None, str]:
        """(first day of the month, cost centre or None for all, sort)."""
        month, centre, sort = self.today.replace(day=1), None, "-charge"
        if self.is_bound and self.is_valid():
            if self.cleaned_data["month"]:
                year, number = self.cleaned_data["month"].split("-")
                month = dt.date(int(year), int(number), 1)
            value = self.cleaned_data["cost_centre"].strip()
            if value:
                centre = "" if value == NO_COST_CENTRE else value
            sort = self.cleaned_data["sort"] or sort
        return month, centre, sort


class RecipientForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportSchedule.Kind.choices)
    frequency = forms.ChoiceField(label=_("How often"), choices=ReportSchedule.Frequency.choices)
    format = forms.ChoiceField(label=_("Format"), choices=ReportSchedule.Format.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    recipients = IdsMultipleChoiceField(
        label=_("Send to"), queryset=ReportRecipient.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = ReportRecipient.objects.filter(  # type: ignore[attr-defined]
            company=company, confirmed_at__isnull=False
        )
        limit = cost_centre_limit(company)
        if limit is not None:
            # An admin limited to cost centres schedules reports of (some of) theirs only; the action checks again.
            self.fields["cost_centres"] = forms.MultipleChoiceField(
                label=_("Cost centres"),
                choices=[(c, c) for c in limit],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one of your cost centres.")},
            )
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in ReportSchedule.Kind.choices if c[0] != ReportSchedule.Kind.INVOICES
            ]
