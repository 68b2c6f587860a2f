"""The call-flow designer: a draft flow edited by choosing, not typing.

The page posts the whole draft every time (a plain form, so it works without JavaScript): ``steps`` lists the
steps' keys in order, and each step's fields carry the prefix ``step-<key>``. ``parse_draft`` reads the post into
a flow document leniently (whatever was typed is kept, valid or not), ``apply`` carries out the button pressed
(add a step from the palette, remove one, move a ring-group member, ...), and ``flows.step_problems`` says what
is wrong, on the step it belongs to. The keys are made by the designer; the admin sees only names.

Hours, holidays and special days are edited on the week grid (``HoursForm``); the designer keeps the rest of the
document it started from.
"""

import copy
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from numbering import flows

MAX_DESIGNER_STEPS = 40
MAX_MEMBERS = 30
# The menu's keys in the order of a phone's keypad.
DIGIT_FIELDS = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5"), ("6", "6"), ("7", "7"), ("8", "8")]
DIGIT_FIELDS += [("9", "9"), ("0", "0"), ("star", "*"), ("hash", "#")]
RING_TIMES = [10, 15, 20, 25, 30, 45, 60, 90, 120]
WAITS = [3, 5, 8, 10, 15, 20, 30]
TRIES = [1, 2, 3, 4, 5]
# The palette: what a step can be, in the order an office manager reaches for them.
PALETTE = [
    ("ivr", gettext_lazy("Menu"), "fa-list-ol"),
    ("ring_group", gettext_lazy("Ring group"), "fa-users"),
    ("forward", gettext_lazy("Forward"), "fa-share"),
    ("voicemail", gettext_lazy("Voicemail"), "fa-voicemail"),
    ("announcement", gettext_lazy("Announcement"), "fa-bullhorn"),
    ("time_condition", gettext_lazy("Time condition"), "fa-clock"),
]
KEY_STEMS = {
    "ivr": "menu",
    "ring_group": "ring-group",
    "forward": "forward",
    "voicemail": "voicemail",
    "announcement": "announcement",
    "time_condition": "time",
}


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _text(data: QueryDict, name: str, limit: int = 500) -> str:
    return str(data.get(name, "")).strip()[:limit]


def _ring_group(data: QueryDict, prefix: str, key: str, base: dict[str, Any]) -> dict[str, Any]:
    members = [m for m in (_int(v) for v in data.getlist(prefix + "members")[:MAX_MEMBERS]) if m is not None]
    added = _int(data.get(prefix + "add_member"))
    if added is not None and added not in members:
        members.append(added)
    return {
        "members": list(dict.fromkeys(members)),
        "strategy": _text(data, prefix + "strategy", 20),
        "ring_time": _int(data.get(prefix + "ring_time")),
        "overflow": _text(data, prefix + "overflow", 40),
    }


def _ivr(data: QueryDict, prefix: str, key: str, base: dict[str, Any]) -> dict[str, Any]:
    options = {digit: _text(data, f"{prefix}key_{name}", 40) for name, digit in DIGIT_FIELDS}
    dest = {
        "greeting": _text(data, prefix + "greeting"),
        "options": {digit: target for digit, target in options.items() if target},
        "timeout": _int(data.get(prefix + "timeout")),
        "max_tries": _int(data.get(prefix + "max_tries")) or 1,
        "timeout_dest": _text(data, prefix + "timeout_dest", 40),
        "invalid_dest": _text(data, prefix + "invalid_dest", 40),
    }
    # "Play the menu again" is the menu itself; a flow that left it empty (the same) keeps it empty.
    before = ((base.get("destinations") or {}).get(key) or {}).get("invalid_dest", "")
    if dest["invalid_dest"] == key and not before:
        dest["invalid_dest"] = ""
    return dest


def e164(number: str) -> str:
    """A typed number as the network takes it (``+45 20 12 34 56`` → ``+4520123456``); as typed if it is not one."""
    try:
        parsed = phonenumbers.parse(number, "DK")
    except phonenumbers.NumberParseException:
        return number
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(parsed)
        else number
    )


def _time_condition(data: QueryDict, prefix: str, key: str, base: dict[str, Any]) -> dict[str, Any]:
    return {route: _text(data, f"{prefix}{route}", 40) for route, _label in flows.ROUTES}


# Each type's fields as the page posts them (``prefix`` is ``step-<key>-``) → the destination's settings.
PARSERS: dict[str, Any] = {
    "ring_group": _ring_group,
    "ivr": _ivr,
    "voicemail": lambda data, prefix, key, base: {"email": _text(data, prefix + "email", 254)},
    "announcement": lambda data, prefix, key, base: {"text": _text(data, prefix + "text")},
    "forward": lambda data, prefix, key, base: {
        "number": e164(_text(data, prefix + "other_number", 20) or _text(data, prefix + "number", 20))
    },
    "time_condition": _time_condition,
}


def parse_draft(data: QueryDict, base: dict[str, Any]) -> dict[str, Any]:
    """The flow document the posted designer describes; ``base`` gives what the designer does not post."""
    document = copy.deepcopy(base)
    document.setdefault("timezone", flows.TIMEZONE)
    keys = list(dict.fromkeys(k for k in data.getlist("steps")[:MAX_DESIGNER_STEPS] if flows.KEY_RE.match(k)))
    destinations: dict[str, Any] = {}
    for key in keys:
        prefix = f"step-{key}-"
        kind = _text(data, prefix + "type", 20)
        if kind in PARSERS:
            name = _text(data, prefix + "name", 80)
            destinations[key] = {"type": kind, "name": name} | PARSERS[kind](data, prefix, key, base)
    document["destinations"] = destinations
    document["routes"] = {route: _text(data, f"entry-{route}", 40) for route, _label in flows.ROUTES}
    return document


@dataclass
class Outcome:
    document: dict[str, Any]
    focus: str = ""  # the field to focus after the page comes back (its id)
    added: str = ""  # the step just added (its problems are not shown yet)
    announce: str = ""  # said by the live region after a move


def new_key(document: dict[str, Any], kind: str) -> str:
    stem = KEY_STEMS.get(kind, "step")
    existing = set(document.get("destinations") or {})
    n = 1
    while f"{stem}-{n}" in existing:
        n += 1
    return f"{stem}-{n}"


def new_step(document: dict[str, Any], kind: str, *, email: str = "") -> dict[str, Any]:
    """A step of the palette's kind, filled with the usual choices so that only the essentials are left."""
    label = dict((k, str(label)) for k, label, _icon in PALETTE)[kind]
    count = sum(1 for d in (document.get("destinations") or {}).values() if d.get("type") == kind) + 1
    dest: dict[str, Any] = {"type": kind, "name": label if count == 1 else f"{label} {count}"}
    defaults: dict[str, dict[str, Any]] = {
        "ring_group": {"members": [], "strategy": "simultaneous", "ring_time": 20, "overflow": ""},
        "ivr": {"greeting": "", "options": {}, "timeout": 5, "max_tries": 3, "timeout_dest": "", "invalid_dest": ""},
        "voicemail": {"email": email},
        "announcement": {"text": ""},
        "forward": {"number": ""},
        "time_condition": {"open": "", "closed": "", "holiday": ""},
    }
    return dest | defaults[kind]


def _drop_references(document: dict[str, Any], gone: str) -> None:
    for dest in (document.get("destinations") or {}).values():
        for field_name in ("overflow", "timeout_dest", "invalid_dest", "open", "closed", "holiday"):
            if dest.get(field_name) == gone:
                dest[field_name] = ""
        options = dest.get("options")
        if isinstance(options, dict):
            dest["options"] = {d: t for d, t in options.items() if t != gone}
    routes = document.get("routes") or {}
    document["routes"] = {r: ("" if t == gone else t) for r, t in routes.items()}


def apply(document: dict[str, Any], action: str, *, email: str = "") -> Outcome:
    """Carries out a designer button: ``add:<type>``, ``remove:<key>``, ``up|down|drop:<key>:<index>``."""
    verb, _sep, rest = action.partition(":")
    destinations = document.setdefault("destinations", {})
    if verb == "add" and rest in flows.DESTINATION_CHECKS and len(destinations) < MAX_DESIGNER_STEPS:
        key = new_key(document, rest)
        destinations[key] = new_step(document, rest, email=email)
        routes = document.setdefault("routes", {})
        if not any(routes.get(r) for r, _l in flows.ROUTES):  # the first step: every call starts there
            document["routes"] = {r: key for r, _l in flows.ROUTES}
        return Outcome(document, focus=f"id_step-{key}-name", added=key)
    if verb == "remove" and rest in destinations:
        del destinations[rest]
        _drop_references(document, rest)
        return Outcome(document, focus="palette", announce=_("The step was removed."))
    if verb == "member" and rest in destinations:
        return Outcome(document, focus=f"id_step-{rest}-add_member", announce=_("The person was added."))
    key, _sep, index_text = rest.partition(":")
    dest = destinations.get(key) or {}
    members = dest.get("members")
    index = _int(index_text)
    if verb in ("up", "down", "drop") and isinstance(members, list) and index is not None and 0 <= index < len(members):
        if verb == "drop":
            members.pop(index)
            return Outcome(document, focus=f"id_step-{key}-add_member", announce=_("The member was removed."))
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(members):
            members[index], members[other] = members[other], members[index]
            return Outcome(
                document,
                focus=f"member-{key}-{other}-{verb}",
                announce=_("Moved to place %(n)d of %(total)d.") % {"n": other + 1, "total": len(members)},
            )
    return Outcome(document)


# -- the forms that draw a step (unbound: the draft is the data; ``flows.step_problems`` gives the errors) --------


def _step_choices(document: dict[str, Any], exclude: str, empty: str) -> list[tuple[str, str]]:
    names = flows.destination_names(document)
    return [("", empty), *((k, names[k]) for k in (document.get("destinations") or {}) if k != exclude)]


class StepForm(forms.Form):
    """One step's fields for its type; targets are picked from the flow's other steps, members from the company."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)

    def __init__(
        self,
        key: str,
        dest: dict[str, Any],
        document: dict[str, Any],
        *,
        member_choices: list[tuple[str, str]],
        number_choices: list[tuple[str, str]],
    ) -> None:
        self.key, self.dest, self.kind = key, dest, str(dest.get("type"))
        self.problems: list[str] = []  # set by the view from ``flows.step_problems``
        self.warnings: list[str] = []
        self.members: list[tuple[int, str]] = []
        super().__init__(prefix=f"step-{key}", initial=self._initial(key, dest, number_choices))
        steps = _step_choices(document, key, _("— choose a step —"))
        hang_up = _step_choices(document, key, _("Hang up"))

        def choice(label: Any, choices: list[tuple[Any, Any]], help_text: Any = "") -> forms.ChoiceField:
            return forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.Select(), help_text=help_text
            )

        fields = self.fields
        if self.kind == "ring_group":
            names = dict(member_choices)
            self.members = [(m, names.get(str(m), f"#{m}")) for m in dest.get("members") or []]
            chosen = {str(m) for m in dest.get("members") or []}
            fields["add_member"] = choice(
                _("Add a person"),
                [("", _("— choose a person —")), *((k, v) for k, v in member_choices if k not in chosen)],
            )
            fields["strategy"] = choice(_("How they ring"), list(flows.STRATEGIES))
            fields["ring_time"] = choice(
                _("Ring for"), [(s, _("%(s)d seconds") % {"s": s}) for s in _with(RING_TIMES, dest.get("ring_time"))]
            )
            fields["overflow"] = choice(_("If no one answers"), hang_up)
        elif self.kind == "ivr":
            fields["greeting"] = forms.CharField(
                label=_("What the caller hears"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("E.g. “Press 1 for sales, 2 for support.”"),
            )
            for name, digit in DIGIT_FIELDS:
                fields[f"key_{name}"] = choice(
                    _("Key %(digit)s") % {"digit": digit}, [("", _("— not used —")), *steps[1:]]
                )
            fields["timeout"] = choice(
                _("Wait for a choice"), [(s, _("%(s)d seconds") % {"s": s}) for s in _with(WAITS, dest.get("timeout"))]
            )
            fields["max_tries"] = choice(
                _("Play the menu"), [(n, _("%(n)d times") % {"n": n} if n > 1 else _("once")) for n in TRIES]
            )
            fields["timeout_dest"] = choice(_("If the caller chooses nothing"), steps)
            fields["invalid_dest"] = choice(
                _("On a key not in the menu"), [(key, _("Play the menu again")), *steps[1:]]
            )
        elif self.kind == "voicemail":
            fields["email"] = forms.EmailField(label=_("E-mail the messages to"), required=False)
        elif self.kind == "announcement":
            fields["text"] = forms.CharField(
                label=_("What the caller hears, then the call ends"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        elif self.kind == "forward":
            fields["number"] = choice(_("Forward to"), [("", _("— another number, below —")), *number_choices])
            fields["other_number"] = forms.CharField(
                label=_("Another number"), required=False, max_length=20, help_text=_("E.g. +45 20 12 34 56")
            )
        elif self.kind == "time_condition":
            for route, label in flows.ROUTES:
                fields[route] = choice(label, steps)

    @staticmethod
    def _initial(key: str, dest: dict[str, Any], number_choices: list[tuple[str, str]]) -> dict[str, Any]:
        initial = dict(dest)
        if dest.get("type") == "ivr":
            initial["invalid_dest"] = dest.get("invalid_dest") or key
            by_digit = dest.get("options") or {}
            for name, digit in DIGIT_FIELDS:
                initial[f"key_{name}"] = by_digit.get(digit, "")
        if dest.get("type") == "forward":
            number = str(dest.get("number") or "")
            if number in dict(number_choices):
                initial["number"], initial["other_number"] = number, ""
            else:
                initial["number"], initial["other_number"] = "", number
        return initial

    @property
    def kind_label(self) -> str:
        return str(dict(flows.DESTINATION_TYPES).get(self.kind, self.kind))

    def digit_fields(self) -> list[forms.BoundField]:
        return [self[f"key_{name}"] for name, _digit in DIGIT_FIELDS]

    def used_digit_fields(self) -> list[forms.BoundField]:
        """The menu keys in use, and the next two free ones: the rest wait behind "more keys"."""
        used = set((self.dest.get("options") or {}).keys())
        shown, spare = [], 0
        for name, digit in DIGIT_FIELDS:
            if digit in used:
                shown.append(self[f"key_{name}"])
            elif spare < 2:
                shown.append(self[f"key_{name}"])
                spare += 1
        return shown

    def more_digit_fields(self) -> list[forms.BoundField]:
        shown = {b.name for b in self.used_digit_fields()}
        return [b for b in self.digit_fields() if b.name not in shown]

    def field_group(self, *names: str) -> list[forms.BoundField]:
        return [self[n] for n in names if n in self.fields]


def _with(values: list[int], current: Any) -> list[int]:
    """The usual values plus the current one, so an unusual setting is kept and shown."""
    if isinstance(current, int) and current not in values:
        return sorted([*values, current])
    return values


class EntryForm(forms.Form):
    """Where a call starts: by the opening hours, one step each for open, closed and holiday."""

    comment = forms.CharField(
        label=gettext_lazy("Comment on this version"),
        max_length=200,
        required=False,
    )

    def __init__(self, document: dict[str, Any], comment: str = "") -> None:
        super().__init__(prefix="entry", initial={**(document.get("routes") or {}), "comment": comment})
        choices = _step_choices(document, "", _("— choose a step —"))
        labels = {
            "open": _("When you are open"),
            "closed": _("When you are closed"),
            "holiday": _("On holidays"),
        }
        for route, _label in flows.ROUTES:
            self.fields[route] = forms.ChoiceField(
                label=labels[route], choices=choices, required=False, widget=forms.Select()
            )
        self.order_fields(["open", "closed", "holiday", "comment"])


def step_forms(
    document: dict[str, Any],
    *,
    member_choices: list[tuple[str, str]],
    number_choices: list[tuple[str, str]],
    focus: str = "",
) -> list[StepForm]:
    """A form per step; the field ``focus`` names (``id_step-<key>-<field>``) gets the keyboard after a reload."""
    forms_ = [
        StepForm(key, dest, document, member_choices=member_choices, number_choices=number_choices)
        for key, dest in (document.get("destinations") or {}).items()
        if isinstance(dest, dict)
    ]
    for form in forms_:
        for name, field in form.fields.items():
            if focus == f"id_{form.prefix}-{name}":
                field.widget.attrs["autofocus"] = True
    return forms_
