"""The main number's call flow as a JSON document: its shape, validation, a simulator and a diff.

A document::

    {
      "timezone": "Europe/Copenhagen",
      "hours": {"0": [["08:00", "12:00"], ["12:30", "16:00"]], ..., "6": []},   # 0 = Monday
      "holidays": {"observe": true, "off": ["2026-05-14"], "on": ["2026-12-24"]},  # Danish public holidays;
                  # "off" = public holidays treated as normal days, "on" = optional days (24/31 Dec, 5 June, 1 May) kept
      "special_days": [{"date": "2026-12-23", "label": "...", "periods": [["08:00", "12:00"]]}],  # [] = closed
      "routes": {"open": "reception", "closed": "voicemail", "holiday": "closed-msg"},
      "destinations": {
        "reception": {"type": "ring_group", "name": "...", "members": [12, 13],
                      "strategy": "simultaneous", "ring_time": 20, "overflow": "voicemail"},
        "menu": {"type": "ivr", "name": "...", "greeting": "...", "options": {"1": "reception"},
                 "timeout": 5, "max_tries": 3, "timeout_dest": "voicemail", "invalid_dest": "menu"},
        "voicemail": {"type": "voicemail", "name": "...", "email": "post@firma.dk"},
        "closed-msg": {"type": "announcement", "name": "...", "text": "..."},
        "mobile": {"type": "forward", "name": "...", "number": "+4520123456"}
      }
    }

Pure Python: no database access except ``validate``'s check of subscription ids.
"""

import datetime
import itertools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import holidays
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common import formats

TIMEZONE = "Europe/Copenhagen"
WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
DESTINATION_TYPES = [
    ("ring_group", gettext_lazy("Ring group")),
    ("ivr", gettext_lazy("IVR menu")),
    ("voicemail", gettext_lazy("Voicemail box")),
    ("announcement", gettext_lazy("Announcement, then hang up")),
    ("forward", gettext_lazy("Forward to an external number")),
    ("time_condition", gettext_lazy("Time condition (opening hours)")),
]
STRATEGIES = [
    ("simultaneous", gettext_lazy("Simultaneous")),
    ("in_order", gettext_lazy("In order")),
    ("round_robin", gettext_lazy("Round-robin")),
]
ROUTES = [
    ("open", gettext_lazy("When open")),
    ("closed", gettext_lazy("When closed")),
    ("holiday", gettext_lazy("On holidays")),
]
# \Z, not $: Python's $ also matches before a final newline, so "menu\n" would pass as a key.
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}\Z")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d\Z")
DIGITS = set("0123456789*#")
MAX_STEPS = 50


def default_document() -> dict[str, Any]:
    return {
        "timezone": TIMEZONE,
        "hours": {str(d): ([["08:00", "16:00"]] if d < 5 else []) for d in range(7)},
        "holidays": {"observe": True, "off": []},
        "special_days": [],
        "routes": {"open": "", "closed": "", "holiday": ""},
        "destinations": {},
    }


def parse_periods(text: str) -> list[list[str]]:
    """``08:00-12:00, 12:30-16:00`` → [["08:00", "12:00"], ["12:30", "16:00"]]; ValueError if malformed."""
    periods: list[list[str]] = []
    for chunk in text.replace(";", ",").split(","):
        chunk = chunk.strip().replace("\u2013", "-").replace(".", ":")
        if not chunk:
            continue
        parts = [p.strip() for p in chunk.split("-")]
        if len(parts) != 2:
            raise ValueError(chunk)
        start, end = (p if len(p) == 5 else p.zfill(5) for p in parts)
        if not TIME_RE.match(start) or not TIME_RE.match(end) or start >= end:
            raise ValueError(chunk)
        periods.append([start, end])
    periods.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(periods):
        if s2 < e1:
            raise ValueError(text)
    return periods


def format_periods(periods: list[list[str]]) -> str:
    return ", ".join(f"{s}-{e}" for s, e in periods)


def holiday_language() -> str:
    """The language holiday names are given in: the reader's ("Christmas Day" / "Juledag")."""
    return "da" if (get_language() or "").startswith("da") else "en_US"


def danish_holidays(years: int | range, categories: tuple[str, ...] = ()) -> holidays.HolidayBase:
    """Denmark's holidays named in the reader's language; Danish names if the package's translation
    files cannot be read (they are looked up on disk at every call)."""
    extra = {"categories": categories} if categories else {}
    try:
        return holidays.DK(years=years, language=holiday_language(), **extra)
    except FileNotFoundError:
        return holidays.DK(years=years, **extra)


def holidays_between(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    calendar = danish_holidays(range(start.year, end.year + 1))
    return sorted((d, name) for d, name in calendar.items() if start <= d <= end)


def optional_holidays_between(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """Days many Danish companies close that are not public holidays (Christmas Eve, New Year's Eve,
    Constitution Day, 1 May): holidays only when the company switches them on (``holidays.on``)."""
    calendar = danish_holidays(range(start.year, end.year + 1), ("optional",))
    return sorted((d, name) for d, name in calendar.items() if start <= d <= end)


def holiday_name(document: dict[str, Any], day: datetime.date) -> str | None:
    """The holiday the call flow keeps on ``day``, or None: observed public holidays less the ones switched
    off, and the optional days switched on."""
    conf = document.get("holidays") or {}
    name = danish_holidays(day.year).get(day)
    if name:
        return name if conf.get("observe", True) and day.isoformat() not in (conf.get("off") or []) else None
    if day.isoformat() in (conf.get("on") or []):
        return danish_holidays(day.year, ("optional",)).get(day) or day.isoformat()
    return None


# -- validation -------------------------------------------------------------------------------------------
#
# One rule set for saving and for the hand-over: ``check`` is what the designer, the expert form, the API, a
# scheduled change and the export's validator (``numbering.export.problems``) all run. It words every problem for
# an admin, on the step and field it belongs to; the ``callflow/v1`` schema is run as well, so a place the schema
# refuses and no rule words is still refused (worded plainly, ``generic``). The property test in
# ``numbering/tests/test_flow_rules.py`` checks on generated flows that the rules word everything the schema
# refuses, and that saving and the export agree.

# The schema's patterns for what the rules check by hand (``$`` as \Z, see KEY_RE).
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\Z")
NUMBER_RE = re.compile(r"^\+?[0-9]{8,15}\Z")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow: on a step (``step``: its key) and its field, or on the flow's ``field``
    (``hours.0``, ``holidays``, ``special_days``, ``routes.open``, ``timezone``, ``destinations``)."""

    message: str
    step: str | None = None
    field: str = ""
    generic: bool = False  # worded from the schema alone: no rule says it in words

    @property
    def where(self) -> str:
        """The place as the export's paths name it (``destinations.menu.timeout``)."""
        if self.step is None:
            return self.field
        return f"destinations.{self.step}.{self.field}" if self.field else f"destinations.{self.step}"


def _targets(dest: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(field, target key, caller's choice?) for every destination this one can lead to."""
    out: list[tuple[str, str, bool]] = []

    def add(field_name: str, target: Any, choice: bool) -> None:
        if target and isinstance(target, str):
            out.append((field_name, target, choice))

    if dest.get("type") == "ring_group":
        add("overflow", dest.get("overflow"), False)
    if dest.get("type") == "time_condition":
        for route, _label in ROUTES:
            add(route, dest.get(route), False)
    if dest.get("type") == "ivr":
        options = dest.get("options")
        for digit, target in (options if isinstance(options, dict) else {}).items():
            add(str(digit), target, True)
        add("timeout", dest.get("timeout_dest"), False)
        # Only reached when the caller presses a key that is not on the menu: a caller's action.
        add("invalid", dest.get("invalid_dest"), True)
    return out


def check(document: Any, *, subscription_ids: set[int] | None) -> list[Problem]:
    """Every problem with a flow, in words an admin understands, each on its step and field; [] means valid.

    ``subscription_ids`` are the ids of the company's own subscriptions (ring group members must be among them);
    None checks only that members are subscription ids (for a document read without its company).
    """
    if not isinstance(document, dict):
        return [Problem(_("The flow is not a valid document."))]
    found: list[Problem] = []
    if document.get("timezone") != TIMEZONE:
        found.append(Problem(_("The time zone must be Europe/Copenhagen."), field="timezone"))
    found.extend(_check_hours(document.get("hours")))
    found.extend(_check_holidays(document.get("holidays")))
    found.extend(_check_special_days(document.get("special_days")))
    destinations = document.get("destinations")
    if not isinstance(destinations, dict):
        found.append(Problem(_("The destinations are not valid."), field="destinations"))
        destinations = {}
    names = destination_names(document)
    for key, dest in destinations.items():
        found.extend(_check_destination(key, dest, destinations, subscription_ids, names))
    found.extend(_check_routes(document.get("routes"), destinations))
    for cycle in _cycles(destinations):
        for key in dict.fromkeys(cycle):
            found.append(Problem(_loop_message(cycle, names), step=key, field="loop"))
    found.extend(_schema_leftovers(document, found, names))
    return found


def validate(document: Any, *, subscription_ids: set[int] | None) -> list[str]:
    """``check``'s problems as messages; [] means valid."""
    return [problem.message for problem in check(document, subscription_ids=subscription_ids)]


def _periods_valid(periods: Any) -> bool:
    """``[["08:00", "12:00"], ...]`` exactly as stored: zero-padded times, each period forwards, none overlapping."""
    if not isinstance(periods, list):
        return False
    pairs: list[tuple[str, str]] = []
    for period in periods:
        if not (isinstance(period, list) and len(period) == 2 and all(isinstance(t, str) for t in period)):
            return False
        start, end = period
        if not (TIME_RE.match(start) and TIME_RE.match(end) and start < end):
            return False
        pairs.append((start, end))
    pairs.sort()
    return all(s2 >= e1 for (_s1, e1), (s2, _e2) in itertools.pairwise(pairs))


def _iso_date(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or not DATE_RE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _check_hours(hours: Any) -> list[Problem]:
    if not isinstance(hours, dict) or set(hours) != {str(d) for d in range(7)}:
        return [Problem(_("Opening hours must be given for all seven weekdays."), field="hours")]
    return [
        Problem(_("The opening hours for %(day)s are not valid.") % {"day": WEEKDAYS[int(day)]}, field=f"hours.{day}")
        for day, periods in sorted(hours.items())
        if not _periods_valid(periods)
    ]


def _check_holidays(conf: Any) -> list[Problem]:
    valid = (
        isinstance(conf, dict)
        and isinstance(conf.get("observe"), bool)
        and all(
            isinstance(conf.get(key, []), list) and all(_iso_date(d) for d in conf.get(key, []))
            for key in ("off", "on")
        )
    )
    return [] if valid else [Problem(_("The holiday settings are not valid."), field="holidays")]


def _check_special_days(special_days: Any) -> list[Problem]:
    if not isinstance(special_days, list):
        return [Problem(_("The special days are not valid."), field="special_days")]
    found: list[Problem] = []
    seen_dates: set[datetime.date] = set()
    for i, special in enumerate(special_days):
        day = _iso_date(special.get("date")) if isinstance(special, dict) else None
        if (
            day is None
            or not isinstance(special, dict)
            or not _periods_valid(special.get("periods"))
            or not isinstance(special.get("label", ""), str)
        ):
            found.append(Problem(_("A special day is not valid."), field=f"special_days.{i}"))
            continue
        if day in seen_dates:
            found.append(
                Problem(
                    _("%(date)s is listed twice as a special day.") % {"date": formats.date(day)},
                    field=f"special_days.{i}",
                )
            )
        seen_dates.add(day)
    return found


def _check_routes(routes: Any, destinations: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    routes = routes if isinstance(routes, dict) else {}
    for route, label in ROUTES:
        target = routes.get(route)
        if not target or not isinstance(target, str):
            message = _("Choose where calls go %(route)s.") % {"route": str(label).lower()}
        elif target not in destinations or not KEY_RE.match(target):  # a step whose key is not one: refused too
            message = _("Calls %(route)s go to “%(key)s”, which does not exist.") % {
                "route": str(label).lower(),
                "key": target,
            }
        else:
            continue
        found.append(Problem(message, field=f"routes.{route}"))
    return found


def _int_between(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


Found = list[tuple[str, str]]  # (field, message) of one step


def _check_ring_group(dest: dict[str, Any], name: dict[str, str], subscription_ids: set[int] | None) -> Found:
    errors: Found = []
    members = dest.get("members")
    if not isinstance(members, list) or not members:
        errors.append(("members", _("Ring group “%(key)s” has no members.") % name))
    elif any(
        not _int_between(m, 1, 2**63) or (subscription_ids is not None and m not in subscription_ids) for m in members
    ):
        errors.append(("members", _("Ring group “%(key)s” rings a subscription that is not your company's.") % name))
    elif len(set(members)) != len(members):
        errors.append(("members", _("Ring group “%(key)s” lists a member twice.") % name))
    if dest.get("strategy") not in dict(STRATEGIES):
        errors.append(("strategy", _("Ring group “%(key)s” has no valid strategy.") % name))
    if not _int_between(dest.get("ring_time"), 5, 300):
        errors.append(("ring_time", _("Ring group “%(key)s” must ring for 5 to 300 seconds.") % name))
    return errors


def _check_ivr(dest: dict[str, Any], name: dict[str, str], subscription_ids: set[int] | None) -> Found:
    errors: Found = []
    greeting = dest.get("greeting")
    if not isinstance(greeting, str) or not greeting.strip():
        errors.append(("greeting", _("IVR menu “%(key)s” needs a greeting.") % name))
    options = dest.get("options")
    if not isinstance(options, dict) or not options:
        errors.append(("options", _("IVR menu “%(key)s” has no choices.") % name))
    elif any(d not in DIGITS or len(d) != 1 for d in options):
        errors.append(("options", _("IVR menu “%(key)s” has a choice that is not a key on the phone.") % name))
    elif any(not target or not isinstance(target, str) for target in options.values()):
        errors.append(("options", _("IVR menu “%(key)s” has a key that leads nowhere.") % name))
    if not _int_between(dest.get("timeout"), 1, 60):
        errors.append(("timeout", _("IVR menu “%(key)s” must wait 1 to 60 seconds for a choice.") % name))
    if "max_tries" in dest and not _int_between(dest["max_tries"], 1, 5):
        errors.append(("max_tries", _("IVR menu “%(key)s” must play 1 to 5 times.") % name))
    if not dest.get("timeout_dest") or not isinstance(dest["timeout_dest"], str):
        errors.append(
            ("timeout_dest", _("IVR menu “%(key)s” needs a destination when the caller chooses nothing.") % name)
        )
    if not isinstance(dest.get("invalid_dest", ""), str):
        errors.append(("invalid_dest", _("IVR menu “%(key)s” has no valid step for a key not in the menu.") % name))
    return errors


def _check_voicemail(dest: dict[str, Any], name: dict[str, str], subscription_ids: set[int] | None) -> Found:
    email = dest.get("email")
    try:
        # The schema's pattern as well: Django takes a quoted local part with spaces or an @, the platform does not.
        if not isinstance(email, str) or not EMAIL_RE.match(email):
            raise ValidationError("")
        validate_email(email)
    except ValidationError:
        return [("email", _("Voicemail box “%(key)s” needs a valid e-mail address.") % name)]
    return []


def _check_announcement(dest: dict[str, Any], name: dict[str, str], subscription_ids: set[int] | None) -> Found:
    text = dest.get("text")
    if not isinstance(text, str) or not text.strip():
        return [("text", _("Announcement “%(key)s” needs a text.") % name)]
    return []


def _check_forward(dest: dict[str, Any], name: dict[str, str], subscription_ids: set[int] | None) -> Found:
    number = dest.get("number")
    valid = False
    # Stored as the network takes it (digits, an optional +; the forms store E.164), and a real number.
    if isinstance(number, str) and NUMBER_RE.match(number):
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(number, "DK"))
        except phonenumbers.NumberParseException:
            valid = False
    if not valid:
        return [("number", _("Forward “%(key)s” needs a valid phone number.") % name)]
    return []


def _check_time_condition(dest: dict[str, Any], name: dict[str, str], subscription_ids: set[int] | None) -> Found:
    return [
        (route, _("Time condition “%(key)s” needs a destination %(routes)s.") % {**name, "routes": str(label).lower()})
        for route, label in ROUTES
        if not dest.get(route) or not isinstance(dest[route], str)
    ]


# One check per destination type: (destination, {"key": its name}, the company's subscription ids) → (field, problem).
DESTINATION_CHECKS: dict[str, Callable[[dict[str, Any], dict[str, str], set[int] | None], Found]] = {
    "ring_group": _check_ring_group,
    "ivr": _check_ivr,
    "voicemail": _check_voicemail,
    "announcement": _check_announcement,
    "forward": _check_forward,
    "time_condition": _check_time_condition,
}
# A target's field in ``_targets`` → the destination's field that holds it.
_TARGET_FIELDS = {"overflow": "overflow", "timeout": "timeout_dest", "invalid": "invalid_dest"}


def _check_destination(
    key: str, dest: Any, destinations: dict[str, Any], subscription_ids: set[int] | None, names: dict[str, str]
) -> list[Problem]:
    """The problems of one step, worded by the names the admin gave."""
    shown = names.get(key, key)
    found: list[Problem] = []
    if not isinstance(key, str) or not KEY_RE.match(key):
        found.append(
            Problem(
                _("“%(key)s” is not a valid destination key (lower-case letters, digits, - and _).") % {"key": key},
                step=str(key),
                field="key",
            )
        )
    if not isinstance(dest, dict) or dest.get("type") not in DESTINATION_CHECKS:
        return [*found, Problem(_("Destination “%(key)s” has no valid type.") % {"key": shown}, str(key), "type")]
    if not isinstance(dest.get("name"), str):  # may be empty: the expert form shows the key instead
        found.append(Problem(_("Give the step “%(key)s” a name.") % {"key": shown}, key, "name"))
    for field_name, message in DESTINATION_CHECKS[dest["type"]](dest, {"key": shown}, subscription_ids):
        found.append(Problem(message, key, field_name))
    if dest["type"] == "ring_group" and not isinstance(dest.get("overflow", ""), str):
        found.append(
            Problem(_("Ring group “%(key)s” has no valid step if no one answers.") % {"key": shown}, key, "overflow")
        )
    for field_name, target, _choice in _targets(dest):
        if target not in destinations or not KEY_RE.match(target):
            found.append(
                Problem(
                    _("“%(key)s” leads to “%(target)s” (%(field)s), which does not exist.")
                    % {"key": shown, "target": target, "field": field_name},
                    key,
                    _TARGET_FIELDS.get(field_name, "options" if dest["type"] == "ivr" else field_name),
                )
            )
    return found


def schema_place(path: tuple[str | int, ...]) -> tuple[str | None, str]:
    """A schema failure's path in a flow document → (step, field) as ``Problem`` names them."""
    if len(path) >= 2 and path[0] == "destinations":
        return str(path[1]), str(path[2]) if len(path) >= 3 else ""
    return None, str(path[0]) if path else ""


def covers(problem: Problem, step: str | None, field_name: str) -> bool:
    """Whether ``problem`` is about the place (step, field) a schema failure names, so one of them is enough."""
    if problem.step != step:
        return False
    if step is not None:
        # A failure on a step as a whole (its key, not an object) is covered by any problem of that step.
        return not field_name or problem.field == field_name or problem.field in ("key", "type")
    return problem.field == field_name or problem.field.startswith(f"{field_name}.")


def _schema_leftovers(document: dict[str, Any], found: list[Problem], names: dict[str, str]) -> list[Problem]:
    """The schema's failures that no rule has worded (should be none: the property test looks for them)."""
    from numbering.callflow_schema import flow_failures

    leftovers: list[Problem] = []
    for failure in flow_failures(document):
        step, field_name = schema_place(failure.path)
        if any(covers(problem, step, field_name) for problem in [*found, *leftovers]):
            continue
        label = str(FIELD_LABELS.get(field_name, field_name))
        message = (
            _("Step “%(key)s”: the setting “%(field)s” is not valid.") % {"key": names.get(step, step), "field": label}
            if step is not None
            else _("The flow's “%(field)s” is not valid.") % {"field": label}
        )
        leftovers.append(Problem(message, step, field_name, generic=True))
    return leftovers


def _cycles(destinations: dict[str, Any]) -> list[list[str]]:
    """Cycles over edges the caller does not choose (overflow, timeout): such a call would ring forever."""
    graph = {
        k: [t for _f, t, choice in _targets(d) if not choice] for k, d in destinations.items() if isinstance(d, dict)
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in graph.get(node, []):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target] if target in path else [node, target])
            elif state.get(target) is None:
                visit(target, [*path, target])
        state[node] = 2

    for key in sorted(graph):
        if state.get(key) is None:
            visit(key, [key])
    return cycles


def _loop_message(cycle: list[str], names: dict[str, str] | None = None) -> str:
    names = names or {}
    return _("These destinations lead to each other without the caller choosing anything: %(cycle)s.") % {
        "cycle": " → ".join(names.get(k, k) for k in cycle)
    }


def reachable(document: dict[str, Any]) -> list[str]:
    """The destinations a call can reach from the routes, in the order a call meets them (breadth first)."""
    destinations = document.get("destinations")
    destinations = destinations if isinstance(destinations, dict) else {}
    routes = document.get("routes")
    routes = routes if isinstance(routes, dict) else {}
    order: list[str] = []
    queue = [routes.get(route) for route, _label in ROUTES]
    while queue:
        key = queue.pop(0)
        if not key or not isinstance(key, str) or key in order or key not in destinations:
            continue
        order.append(key)
        dest = destinations[key]
        queue.extend(t for _f, t, _c in _targets(dest if isinstance(dest, dict) else {}))
    return order


def unreachable(document: dict[str, Any]) -> list[str]:
    """Destinations no call can reach: not a reason to refuse the flow, but worth a warning."""
    seen = set(reachable(document))
    destinations = document.get("destinations")
    return [k for k in (destinations if isinstance(destinations, dict) else {}) if k not in seen]


@dataclass
class StepProblems:
    """The problems of a draft, each on the step it belongs to (``steps``: destination key → messages;
    ``fields``: destination key → field → messages, for marking the field itself)."""

    general: list[str] = field(default_factory=list)  # hours, holidays, special days
    routes: list[str] = field(default_factory=list)
    steps: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # unreachable steps: saved anyway

    @property
    def blocking(self) -> bool:
        return bool(self.general or self.routes or any(self.steps.values()))

    def count(self) -> int:
        return len(self.general) + len(self.routes) + sum(len(v) for v in self.steps.values())


def step_problems(document: dict[str, Any], *, subscription_ids: set[int] | None) -> StepProblems:
    """``check`` sorted by step, plus the unreachable steps as warnings."""
    problems = StepProblems()
    for problem in check(document, subscription_ids=subscription_ids):
        if problem.step is not None:
            problems.steps.setdefault(problem.step, []).append(problem.message)
            problems.fields.setdefault(problem.step, {}).setdefault(problem.field, []).append(problem.message)
        elif problem.field.startswith("routes"):
            problems.routes.append(problem.message)
        else:
            problems.general.append(problem.message)
    for key in unreachable(document):
        problems.warnings[key] = [_("No call reaches this step: nothing leads to it.")]
    return problems


# -- simulator --------------------------------------------------------------------------------------------


@dataclass
class Step:
    destination: str
    text: str


@dataclass
class CallPath:
    period: str  # "open", "closed" or "holiday"
    reason: str
    steps: list[Step] = field(default_factory=list)
    outcome: str = ""


def classify(document: dict[str, Any], when: datetime.datetime) -> tuple[str, str]:
    """("open" | "closed" | "holiday", why) for a moment; naive datetimes are Copenhagen time."""
    tz = zoneinfo.ZoneInfo(document.get("timezone") or TIMEZONE)
    local = when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)
    day, clock = local.date(), local.strftime("%H:%M")
    for special in document.get("special_days") or []:
        if special.get("date") == day.isoformat():
            periods = special.get("periods") or []
            label = special.get("label") or _("special day")
            if any(start <= clock < end for start, end in periods):
                return "open", _("%(label)s: open %(hours)s") % {"label": label, "hours": format_periods(periods)}
            if not periods:
                return "closed", _("%(label)s: closed all day") % {"label": label}
            return "closed", _("%(label)s: open only %(hours)s") % {"label": label, "hours": format_periods(periods)}
    kept = holiday_name(document, day)
    if kept:
        return "holiday", _("Public holiday: %(name)s") % {"name": kept}
    periods = (document.get("hours") or {}).get(str(local.weekday()), [])
    weekday = WEEKDAYS[local.weekday()]
    if any(start <= clock < end for start, end in periods):
        return "open", _("%(day)s, within opening hours %(hours)s") % {"day": weekday, "hours": format_periods(periods)}
    if not periods:
        return "closed", _("%(day)s: closed all day") % {"day": weekday}
    return "closed", _("%(day)s, outside opening hours %(hours)s") % {"day": weekday, "hours": format_periods(periods)}


@dataclass
class _Call:
    """A simulated call on its way: the path so far, the keys the caller has still to press, each menu's plays."""

    path: CallPath
    pressed: list[str]
    member_names: dict[int, str]
    tries: dict[str, int] = field(default_factory=dict)

    def step(self, destination: str, text: str) -> None:
        self.path.steps.append(Step(destination, text))

    def end(self, outcome: str) -> None:
        self.path.outcome = outcome


def _ring_group(call: _Call, current: str, dest: dict[str, Any], name: str) -> str | None:
    members = ", ".join(call.member_names.get(m, f"#{m}") for m in dest.get("members", []))
    call.step(
        current,
        _("Ring group %(name)s rings %(members)s (%(strategy)s) for %(s)d seconds.")
        % {
            "name": name,
            "members": members,
            "strategy": str(dict(STRATEGIES).get(str(dest.get("strategy")), "")).lower(),
            "s": dest.get("ring_time", 0),
        },
    )
    overflow = dest.get("overflow") or None
    if overflow is None:
        call.end(_("If no one answers, the call ends."))
    else:
        call.step(overflow, _("If no one answers, the call overflows."))
    return overflow


def _ivr(call: _Call, current: str, dest: dict[str, Any], name: str) -> str | None:
    call.tries[current] = call.tries.get(current, 0) + 1
    call.step(
        current, _("IVR menu %(name)s plays: “%(greeting)s”") % {"name": name, "greeting": dest.get("greeting", "")}
    )
    if not call.pressed:
        call.step(
            current,
            _("The caller presses nothing for %(s)d seconds (played %(n)d times).")
            % {"s": dest.get("timeout", 0), "n": dest.get("max_tries", 1)},
        )
        return dest.get("timeout_dest")
    digit = call.pressed.pop(0)
    if digit in (dest.get("options") or {}):
        call.step(current, _("The caller presses %(d)s.") % {"d": digit})
        return dest["options"][digit]
    call.step(current, _("The caller presses %(d)s, which is not on the menu.") % {"d": digit})
    return dest.get("invalid_dest") or current


def _voicemail(call: _Call, current: str, dest: dict[str, Any], name: str) -> str | None:
    call.step(current, _("Voicemail box %(name)s records a message.") % {"name": name})
    call.end(_("The message is e-mailed to %(email)s.") % {"email": dest.get("email", "")})
    return None


def _announcement(call: _Call, current: str, dest: dict[str, Any], name: str) -> str | None:
    call.step(current, _("Announcement %(name)s plays: “%(text)s”") % {"name": name, "text": dest.get("text", "")})
    call.end(_("The call ends."))
    return None


def _forward(call: _Call, current: str, dest: dict[str, Any], name: str) -> str | None:
    call.step(current, _("The call is forwarded to %(number)s.") % {"number": dest.get("number")})
    call.end(_("The call continues at the external number."))
    return None


def _time_condition(call: _Call, current: str, dest: dict[str, Any], name: str) -> str | None:
    period = call.path.period
    call.step(
        current,
        _("Time condition %(name)s: %(period)s.") % {"name": name, "period": str(dict(ROUTES)[period]).lower()},
    )
    return dest.get(period) or None


# What each destination type does with a call: records its steps and returns where the call goes next (None: it ends).
DESTINATION_STEPS: dict[str, Callable[[_Call, str, dict[str, Any], str], str | None]] = {
    "ring_group": _ring_group,
    "ivr": _ivr,
    "voicemail": _voicemail,
    "announcement": _announcement,
    "forward": _forward,
    "time_condition": _time_condition,
}


def _take_step(call: _Call, destinations: dict[str, Any], current: str) -> str | None:
    """The call reaches ``current``: its steps are recorded; returns where it goes next (None: it ends there)."""
    if len(call.path.steps) >= MAX_STEPS:
        call.end(_("The call was stopped after %(n)d steps.") % {"n": MAX_STEPS})
        return None
    dest = destinations.get(current)
    if dest is None:
        call.end(_("“%(key)s” does not exist: the call is dropped.") % {"key": current})
        return None
    handle = DESTINATION_STEPS.get(str(dest.get("type")))
    if handle is None:
        call.end(_("“%(key)s” has no valid type: the call is dropped.") % {"key": current})
        return None
    return handle(call, current, dest, dest.get("name") or current)


def simulate(
    document: dict[str, Any], when: datetime.datetime, digits: str = "", member_names: dict[int, str] | None = None
) -> CallPath:
    """The path a call takes. Ring groups are assumed unanswered, so the whole path shows."""
    period, reason = classify(document, when)
    call = _Call(path=CallPath(period=period, reason=reason), pressed=list(digits), member_names=member_names or {})
    destinations = document.get("destinations") or {}
    current = (document.get("routes") or {}).get(period)
    while current is not None:
        current = _take_step(call, destinations, current)
    if not call.path.steps and not call.path.outcome:
        call.end(_("No destination is set: the call is dropped."))
    return call.path


# -- difference -------------------------------------------------------------------------------------------


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if prefix == "special_days" and isinstance(value, list) and all(isinstance(v, dict) for v in value):
        out = {}
        for inner in value:
            out.update(_flatten(inner, f"{prefix}[{inner.get('date') or inner.get('name') or '?'}]"))
        return out
    return {prefix: value}


FIELD_LABELS = {
    "type": gettext_lazy("type"),
    "name": gettext_lazy("name"),
    "members": gettext_lazy("members"),
    "strategy": gettext_lazy("strategy"),
    "ring_time": gettext_lazy("ring time"),
    "overflow": gettext_lazy("if no one answers"),
    "greeting": gettext_lazy("greeting"),
    "timeout": gettext_lazy("wait (seconds)"),
    "max_tries": gettext_lazy("plays at most"),
    "timeout_dest": gettext_lazy("if nothing is pressed"),
    "invalid_dest": gettext_lazy("on a wrong key"),
    "email": gettext_lazy("e-mail"),
    "text": gettext_lazy("text"),
    "number": gettext_lazy("number"),
    "date": gettext_lazy("date"),
    "label": gettext_lazy("name"),
    "periods": gettext_lazy("open"),
}


def _describe_path(path: str, names: dict[str, str] | None = None) -> str:
    """A flattened path (``destinations.menu.greeting``) in words; ``names``: destination key → its name."""
    names = names or {}
    parts = path.split(".")
    if parts[0] == "hours" and len(parts) == 2 and parts[1].isdigit() and int(parts[1]) < 7:
        return _("Opening hours, %(day)s") % {"day": WEEKDAYS[int(parts[1])]}
    if parts[0] == "routes" and len(parts) == 2:
        return str(dict(ROUTES).get(parts[1], parts[1]))
    if path == "holidays.observe":
        return _("Danish public holidays observed")
    if path == "holidays.off":
        return _("Holidays treated as normal days")
    if path == "holidays.on":
        return _("Optional days kept as holidays")
    if path == "timezone":
        return _("Time zone")
    if parts[0] == "destinations" and len(parts) >= 3:
        if parts[2] == "options" and len(parts) == 4:
            return _("Destination “%(key)s”: key %(digit)s") % {"key": names.get(parts[1], parts[1]), "digit": parts[3]}
        return _("Destination “%(key)s”: %(field)s") % {
            "key": names.get(parts[1], parts[1]),
            "field": FIELD_LABELS.get(parts[2], parts[2]),
        }
    if parts[0].startswith("special_days[") and len(parts) == 2:
        day = _iso_day(parts[0][len("special_days[") : -1])
        return _("Special day %(date)s: %(field)s") % {"date": day, "field": FIELD_LABELS.get(parts[1], parts[1])}
    return path


# Fields whose value is another destination's key: shown by that destination's name.
_REFERENCES = (".overflow", ".timeout_dest", ".invalid_dest")
# Fields whose value is one of a fixed set of keys: shown by its translated label.
_CHOICES = {".type": DESTINATION_TYPES, ".strategy": STRATEGIES}


def _show(value: Any, path: str = "", names: dict[str, str] | None = None) -> str:
    if value is None:
        return "\u2013"
    for suffix, choices in _CHOICES.items():
        if path.startswith("destinations.") and path.endswith(suffix) and isinstance(value, str):
            return str(dict(choices).get(value, value))
    is_reference = path.startswith("routes.") or path.endswith(_REFERENCES) or ".options." in path
    if names and is_reference and isinstance(value, str) and value:
        return names.get(value, value)
    if path.startswith("hours.") or path.endswith(".periods"):
        return format_periods(value or []) or _("closed")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if path.startswith("holidays.") or path.endswith(".date"):
        days = value if isinstance(value, list) else [value]
        return ", ".join(_iso_day(str(v)) for v in days) or "\u2013"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "\u2013"
    return "\u2013" if value in (None, "") else str(value)


def _iso_day(text: str) -> str:
    """'2026-12-24' as the language writes a date; anything else as it is."""
    try:
        return formats.date(datetime.date.fromisoformat(text))
    except ValueError:
        return text


def destination_names(document: dict[str, Any]) -> dict[str, str]:
    """Destination key → the name its admin gave it (the key itself when it has none)."""
    destinations = document.get("destinations")
    if not isinstance(destinations, dict):
        return {}
    return {key: str(dest.get("name") or key) for key, dest in destinations.items() if isinstance(dest, dict)}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, before, after) for every value that differs between two documents."""
    a, b = _flatten(old), _flatten(new)
    names = {**destination_names(old), **destination_names(new)}
    rows = []
    for path in sorted(set(a) | set(b)):
        before, after = _show(a.get(path), path, names), _show(b.get(path), path, names)
        if a.get(path) != b.get(path) and before != after:
            rows.append((_describe_path(path, names), before, after))
    return rows
