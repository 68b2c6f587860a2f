"""The call-flow editor's forms and the document they make (see ``numbering.flows`` for the document's shape).

``FlowEditor`` knows the choices the forms offer (the holidays of the coming year, the company's subscriptions
as ring-group members); ``bind`` gives the four forms of a posted page, ``unbound`` those of a document to edit;
``FlowForms.document`` builds the new document from valid forms. The view only binds, saves and renders.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from common import formats
from companies.models import Company
from numbering import flows, selectors
from numbering.forms import DestinationForm, DestinationFormSet, RoutesForm, ScheduleEditorForm, SpecialDayFormSet


def holiday_window() -> tuple[datetime.date, datetime.date]:
    """The year from today: the holidays the editor lists."""
    today = timezone.localdate()
    return today, today + datetime.timedelta(days=365)


def _day(d: datetime.date) -> str:
    return formats.date(d)


@dataclass
class FlowForms:
    """The editor's four forms, bound or not."""

    schedule: ScheduleEditorForm
    special_days: forms.BaseFormSet
    destinations: forms.BaseFormSet
    routes: RoutesForm

    def is_valid(self) -> bool:
        return all(f.is_valid() for f in (self.schedule, self.special_days, self.destinations, self.routes))

    @property
    def comment(self) -> str:
        return self.routes.cleaned_data.get("comment", "")

    def document(self, previous: dict[str, Any]) -> dict[str, Any]:
        """The document the valid forms describe; ``previous`` keeps the holiday settings outside the window shown."""
        holidays = previous.get("holidays") or {}
        return {
            "timezone": flows.TIMEZONE,
            "hours": self.schedule.cleaned_data["hours"],
            "holidays": self.schedule.holidays_conf(holidays.get("off", []), holidays.get("on", [])),
            "special_days": sorted(
                (
                    {
                        "date": f.cleaned_data["date"].isoformat(),
                        "label": f.cleaned_data.get("label", ""),
                        "periods": f.cleaned_data["periods"],
                    }
                    for f in _kept(self.special_days)
                ),
                key=lambda s: s["date"],
            ),
            "routes": {k: self.routes.cleaned_data[k] for k in ("open", "closed", "holiday")},
            "destinations": {f.cleaned_data["key"]: f.destination() for f in _kept(self.destinations)},
        }


def _kept(formset: forms.BaseFormSet) -> list[Any]:
    """A valid formset's filled-in forms that are not marked for deletion."""
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


@dataclass
class FlowEditor:
    member_choices: list[tuple[str, str]]
    holiday_choices: list[tuple[str, str]] = field(default_factory=list)
    optional_dates: list[str] = field(default_factory=list)

    @classmethod
    def between(
        cls, start: datetime.date, end: datetime.date, *, member_choices: list[tuple[str, str]]
    ) -> "FlowEditor":
        """An editor listing the public holidays and the optional days (24/31 Dec, 5 June, 1 May) in [start, end]."""
        optional = flows.optional_holidays_between(start, end)
        choices = sorted(
            [(d.isoformat(), f"{_day(d)} · {name}") for d, name in flows.holidays_between(start, end)]
            + [(d.isoformat(), f"{_day(d)} · {name} ({_('not a public holiday')})") for d, name in optional]
        )
        return cls(
            member_choices=member_choices, holiday_choices=choices, optional_dates=[d.isoformat() for d, _n in optional]
        )

    def _schedule(self, *args: Any, **kwargs: Any) -> ScheduleEditorForm:
        return ScheduleEditorForm(
            *args,
            prefix="schedule",
            holiday_choices=self.holiday_choices,
            optional_dates=self.optional_dates,
            **kwargs,
        )

    def bind(self, data: Any) -> FlowForms:
        return FlowForms(
            schedule=self._schedule(data),
            special_days=SpecialDayFormSet(data, prefix="special"),
            destinations=DestinationFormSet(data, prefix="dest", form_kwargs={"member_choices": self.member_choices}),
            routes=RoutesForm(data, prefix="routes"),
        )

    def observed(self, document: dict[str, Any]) -> list[str]:
        """The listed days the document keeps as holidays: public holidays not switched off, optional days on."""
        conf = document.get("holidays") or {}
        off, on = conf.get("off", []), conf.get("on", [])
        return [d for d, _n in self.holiday_choices if (d in on if d in self.optional_dates else d not in off)]

    def unbound(self, document: dict[str, Any]) -> FlowForms:
        """The forms filled with ``document``, to edit it."""
        schedule: dict[str, Any] = {
            f"day_{d}": flows.format_periods(document["hours"].get(str(d), [])) for d in range(7)
        }
        schedule["observe_holidays"] = (document.get("holidays") or {}).get("observe", True)
        schedule["observed"] = self.observed(document)
        return FlowForms(
            schedule=self._schedule(initial=schedule),
            special_days=SpecialDayFormSet(
                prefix="special",
                initial=[
                    {
                        "date": s["date"],
                        "label": s.get("label", ""),
                        "periods": flows.format_periods(s.get("periods", [])),
                    }
                    for s in document.get("special_days", [])
                ],
            ),
            destinations=DestinationFormSet(
                prefix="dest",
                form_kwargs={"member_choices": self.member_choices},
                initial=[DestinationForm.initial_for(k, d) for k, d in document.get("destinations", {}).items()],
            ),
            routes=RoutesForm(prefix="routes", initial=document.get("routes", {})),
        )


# -- describing a document --------------------------------------------------------------------------------

_DETAILS: dict[str, Any] = {
    "ring_group": lambda dest, names: ", ".join(names.get(m, f"#{m}") for m in dest.get("members", [])),
    "ivr": lambda dest, names: ", ".join(f"{d} → {t}" for d, t in (dest.get("options") or {}).items()),
    "voicemail": lambda dest, names: dest.get("email", ""),
    "announcement": lambda dest, names: dest.get("text", ""),
    "forward": lambda dest, names: formats.phone(dest.get("number", "")),
}


def describe_destinations(document: dict[str, Any], member_names: dict[int, str]) -> list[dict[str, Any]]:
    """One row per destination: its key, name, type in words and what it does (members, choices, address...)."""
    types = dict(flows.DESTINATION_TYPES)
    destination_names = flows.destination_names(document)
    rows = []
    for key, dest in (document.get("destinations") or {}).items():
        detail = _DETAILS.get(dest.get("type"), lambda dest, names: "")(dest, member_names)
        if dest.get("type") == "ivr":  # the menu's choices lead to destinations: by their names, not their keys
            options = (dest.get("options") or {}).items()
            detail = ", ".join(f"{d} → {destination_names.get(t, t)}" for d, t in options)
        rows.append(
            {"key": key, "name": dest.get("name") or key, "type": types.get(dest.get("type"), "?"), "detail": detail}
        )
    return rows


def route_summary(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(route in words, name of its destination) for open, closed and holiday."""
    destinations = document.get("destinations") or {}
    rows = []
    for route, label in flows.ROUTES:
        key = (document.get("routes") or {}).get(route, "")
        dest = destinations.get(key) or {}
        rows.append((str(label), dest.get("name") or key))
    return rows


def opening_hours(document: dict[str, Any]) -> list[tuple[Any, str]]:
    """(weekday, its opening hours as text) for Monday to Sunday."""
    hours = document.get("hours", {})
    return [(flows.WEEKDAYS[d], flows.format_periods(hours.get(str(d), []))) for d in range(7)]


def member_choices(company: Company) -> list[tuple[str, str]]:
    """The company's subscriptions a ring group can ring: (id, "name (number)")."""
    return [
        (str(s.pk), f"{s.user_name} ({formats.phone(s.phone_number)})" if s.phone_number else s.user_name)
        for s in selectors.subscription_choices(company=company)
    ]


def member_names(company: Company) -> dict[int, str]:
    return {int(k): v for k, v in member_choices(company)}


def number_choices(company: Company) -> list[tuple[str, str]]:
    """Numbers a call can be forwarded to, picked instead of typed: the company's people's mobiles and its
    landlines (not the main number, which would call itself)."""
    people = [
        (s.phone_number, f"{s.user_name} ({formats.phone(s.phone_number)})")
        for s in selectors.subscription_choices(company=company)
        if s.phone_number
    ]
    lines = [
        (n.number, f"{n.label or _('Landline')} ({formats.phone(n.number)})")
        for n in selectors.phone_numbers(company=company).exclude(kind="main").exclude(kind="series")
    ]
    return people + lines


# -- the week grid and the calendar -------------------------------------------------------------------------


def week_grid(document: dict[str, Any]) -> list[tuple[Any, list[bool], str]]:
    """(weekday, 48 half hours open or not, the hours as text) for Monday to Sunday."""
    rows = []
    for day in range(7):
        periods = (document.get("hours") or {}).get(str(day), [])
        slots = []
        for half in range(48):
            clock = f"{half // 2:02d}:{'30' if half % 2 else '00'}"
            slots.append(any(start <= clock < end for start, end in periods))
        rows.append((flows.WEEKDAYS[day], slots, flows.format_periods(periods) or _("Closed")))
    return rows


@dataclass
class CalendarDay:
    day: datetime.date | None
    holiday: str = ""
    special: str = ""


def calendar_months(
    document: dict[str, Any], start: datetime.date, months: int = 12
) -> list[tuple[datetime.date, list[list[CalendarDay]]]]:
    """Month grids (weeks from Monday) from ``start``'s month: the holidays the flow keeps, and the special days."""
    import calendar

    specials = {s.get("date"): s for s in document.get("special_days") or []}
    out = []
    year, month = start.year, start.month
    for _i in range(months):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(CalendarDay(None))
                    continue
                special = specials.get(day.isoformat())
                label = ""
                if special is not None:
                    label = special.get("label") or _("Special day")
                    label += ": " + (flows.format_periods(special.get("periods") or []) or _("closed"))
                row.append(CalendarDay(day, flows.holiday_name(document, day) or "", label))
            weeks.append(row)
        out.append((datetime.date(year, month, 1), weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
