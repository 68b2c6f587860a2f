import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import ValidationError as StdnumError

from common import formats
from common.telecom import OPERATORS, NumberError
from common.widgets import DateInput, TimeInput
from numbering import flows
from numbering.flow_designer import e164
from numbering.models import PortRequest
from numbering.porting import earliest_porting_date, parse_numbers, port_date_problem


class PortRequestForm(forms.Form):
    numbers = forms.CharField(
        label=_("Numbers to port"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Danish landline numbers, one per line or separated by commas. "
            "A series is written as a range: 33 12 34 00 - 33 12 34 19."
        ),
    )
    current_operator = forms.ChoiceField(label=_("Current operator"), choices=[("", "—"), *OPERATORS])
    customer_number = forms.CharField(
        label=_("Customer number at the current operator"),
        max_length=60,
        help_text=_("As printed on the invoice from the current operator."),
    )
    holder_name = forms.CharField(
        label=_("Holder name"), max_length=200, help_text=_("Exactly as the current operator has it.")
    )
    holder_street = forms.CharField(label=_("Street and number"), max_length=200)
    holder_postcode = forms.CharField(label=_("Postcode"), max_length=10)
    holder_city = forms.CharField(label=_("City"), max_length=100)
    cvr = forms.CharField(label=_("CVR number"), max_length=12)
    desired_date = forms.DateField(label=_("Desired porting date"), widget=DateInput)
    notification_emails = forms.CharField(
        label=_("E-mail updates to"),
        max_length=1000,
        help_text=_("Every change is e-mailed to these addresses. Separate several with commas."),
    )
    notification_language = forms.ChoiceField(
        label=_("Language of the e-mails"), choices=[("da", _("Danish")), ("en", _("English"))], initial="da"
    )
    authorisation_method = forms.ChoiceField(
        label=_("Porting authorisation"),
        widget=forms.RadioSelect,
        choices=PortRequest.Authorisation.choices,
        initial=PortRequest.Authorisation.SIGNED,
        help_text=_("The law requires the holder's explicit consent to move the numbers."),
    )
    authorisation_file = forms.FileField(
        label=_("Signed authorisation (PDF, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    signed_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_(
            "I am authorised to sign for the holder and ask for these numbers to be moved to you "
            "from the current operator, which may end the service there."
        ),
        required=False,
    )

    def __init__(self, *args: Any, instance: PortRequest | None = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.earliest = earliest_porting_date()
        self.fields["desired_date"].initial = self.earliest
        self.fields["desired_date"].widget.attrs["min"] = self.earliest.isoformat()
        self.fields["desired_date"].help_text = _("The earliest possible date is the next working day, %(date)s.") % {
            "date": formats.date(self.earliest)
        }
        if instance is not None and instance.has_authorisation:
            self.fields["authorisation_method"].help_text = _(
                "An authorisation is on file. Upload or sign again only to replace it."
            )
        if instance is not None and instance.is_mobile:
            # A mobile request belongs to its subscription's number: only the other details can be corrected.
            self.fields["numbers"].disabled = True
            self.fields["numbers"].required = False
            self.fields["numbers"].help_text = _(
                "The mobile number of the new subscription. To move another number, create a new subscription."
            )
            for name in ("customer_number", "holder_street", "holder_postcode", "holder_city"):
                self.fields[name].required = False

    def clean_numbers(self) -> list[str]:
        if self.instance is not None and self.instance.is_mobile:
            return [n.number for n in self.instance.numbers.all()]
        try:
            return parse_numbers(self.cleaned_data["numbers"])
        except NumberError as exc:
            raise ValidationError(str(exc)) from None

    def clean_cvr(self) -> str:
        try:
            return stdnum_cvr.validate(self.cleaned_data["cvr"])
        except StdnumError:
            raise ValidationError(_("Enter a valid CVR number (8 digits).")) from None

    def clean_desired_date(self) -> datetime.date:
        value = self.cleaned_data["desired_date"]
        if value < self.earliest:
            raise ValidationError(_("The earliest possible date is %(date)s.") % {"date": formats.date(self.earliest)})
        if value > timezone.localdate() + datetime.timedelta(days=365):
            raise ValidationError(_("Choose a date within a year."))
        problem = port_date_problem(value)
        if problem:
            raise ValidationError(problem)
        return value

    def clean_notification_emails(self) -> str:
        raw = self.cleaned_data["notification_emails"].replace(";", ",")
        addresses = [a.strip() for a in raw.split(",") if a.strip()]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("“%(address)s” is not a valid e-mail address.") % {"address": address}
                ) from None
        if not addresses:
            raise ValidationError(_("Enter at least one e-mail address."))
        return ", ".join(addresses)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("desired_date") and data.get("current_operator"):  # the donor may need more notice
            problem = port_date_problem(data["desired_date"], current_operator=data["current_operator"])
            if problem:
                self.add_error("desired_date", problem)
        method = data.get("authorisation_method")
        existing = self.instance if self.instance is not None and self.instance.has_authorisation else None
        existing_method = existing.authorisation_method if existing is not None else None
        if method == PortRequest.Authorisation.UPLOAD:
            upload = data.get("authorisation_file")
            if upload:
                from numbering.actions import validate_pdf

                try:
                    validate_pdf(upload)
                except ValidationError as exc:
                    self.add_error("authorisation_file", exc)
            elif existing_method != method:
                self.add_error("authorisation_file", _("Upload the signed authorisation as a PDF."))
        elif method == PortRequest.Authorisation.SIGNED:
            signing = bool(data.get("signed_name", "").strip() or data.get("consent"))
            if signing or existing_method != method:
                if not data.get("signed_name", "").strip():
                    self.add_error("signed_name", _("Type your full name to sign."))
                if not data.get("consent"):
                    self.add_error("consent", _("Tick the box to give your consent."))
        return data

    def details(self) -> dict[str, Any]:
        keys = [
            "current_operator",
            "customer_number",
            "holder_name",
            "holder_street",
            "holder_postcode",
            "holder_city",
            "cvr",
            "desired_date",
            "notification_emails",
            "notification_language",
        ]
        return {k: self.cleaned_data[k] for k in keys}

    def authorisation(self) -> dict[str, Any]:
        method = self.cleaned_data["authorisation_method"]
        if method == PortRequest.Authorisation.UPLOAD:
            return {"method": method, "file": self.cleaned_data.get("authorisation_file") or None}
        if self.cleaned_data.get("consent"):
            return {"method": method, "name": self.cleaned_data["signed_name"], "consent": True}
        return {}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class StaffCommentForm(CommentForm):
    internal = forms.BooleanField(label=_("Internal note (hidden from the customer)"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class ScheduleForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    time = forms.TimeField(label=_("Time"), widget=TimeInput, initial="06:00")

    def scheduled_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))


class CompleteForm(forms.Form):
    ported = forms.MultipleChoiceField(label=_("Numbers that were ported"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note on numbers not ported"), max_length=300, required=False)

    def __init__(self, *args: Any, numbers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["ported"]).choices = [(n, n) for n in numbers]
        self.fields["ported"].initial = numbers


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open requests")), *PortRequest.Status.choices]
    )


# -- call flow editor ---------------------------------------------------------------------------------------


class ScheduleEditorForm(forms.Form):
    """Opening hours per weekday as text (``08:00-12:00, 12:30-16:00``) and the holiday switches."""

    observe_holidays = forms.BooleanField(label=_("Treat Danish public holidays as holidays"), required=False)
    observed = forms.MultipleChoiceField(
        label=_("Public holidays"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Untick a day to treat it as a normal day. Christmas Eve, New Year's Eve, Constitution Day "
            "and 1 May are not public holidays: tick them if your company is closed."
        ),
    )

    def __init__(
        self, *args: Any, holiday_choices: list[tuple[str, str]], optional_dates: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(flows.WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                required=False,
                max_length=200,
                help_text=_("Closed") if day == 6 else "",
            )
        cast(forms.MultipleChoiceField, self.fields["observed"]).choices = holiday_choices
        self.optional_dates = set(optional_dates or [])
        self.holiday_dates = [d for d, _n in holiday_choices if d not in self.optional_dates]
        self.order_fields([f"day_{d}" for d in range(7)])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        hours = {}
        for day in range(7):
            try:
                hours[str(day)] = flows.parse_periods(data.get(f"day_{day}", ""))
            except ValueError:
                self.add_error(f"day_{day}", _("Write periods like 08:00-12:00, 12:30-16:00 (not overlapping)."))
        data["hours"] = hours
        return data

    def holidays_conf(self, previous_off: list[str], previous_on: list[str] | None = None) -> dict[str, Any]:
        observed = set(self.cleaned_data.get("observed") or [])
        shown = set(self.holiday_dates)
        # Days outside the shown window keep their earlier setting.
        off = sorted({d for d in previous_off if d not in shown} | {d for d in shown if d not in observed})
        on = sorted({d for d in previous_on or [] if d not in self.optional_dates} | (self.optional_dates & observed))
        return {"observe": bool(self.cleaned_data.get("observe_holidays")), "off": off, "on": on}


class SpecialDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    label = forms.CharField(label=_("Name"), max_length=80, required=False)
    periods = forms.CharField(label=_("Open (empty = closed all day)"), max_length=100, required=False)

    def clean_periods(self) -> list[list[str]]:
        try:
            return flows.parse_periods(self.cleaned_data.get("periods", ""))
        except ValueError:
            raise ValidationError(_("Write periods like 08:00-12:00.")) from None


# absolute_max = max_num: a forged TOTAL_FORMS builds at most that many forms (Django's default
# builds up to max_num + 1000, seconds of work per request) and is refused as too many.
SpecialDayFormSet = forms.formset_factory(
    SpecialDayForm, extra=1, can_delete=True, max_num=60, absolute_max=60, validate_max=True
)


# "Go to" fields suggest the flow's destination keys from a <datalist> on the editor page.
DESTINATION_PICKER = {"list": "destination-keys", "autocomplete": "off"}


class DestinationForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40, help_text=_("A short name used to point to it."))
    # The initials match what the selects post by default, so an untouched "new destination" row counts as
    # unchanged and is skipped instead of demanding a key.
    type = forms.ChoiceField(label=_("Type"), choices=flows.DESTINATION_TYPES, initial=flows.DESTINATION_TYPES[0][0])
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    members = forms.MultipleChoiceField(
        label=_("Ring group: members, in order"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    strategy = forms.ChoiceField(
        label=_("Strategy"), choices=flows.STRATEGIES, required=False, initial=flows.STRATEGIES[0][0]
    )
    ring_time = forms.IntegerField(label=_("Ring time (seconds)"), min_value=5, max_value=300, required=False)
    overflow = forms.CharField(
        label=_("If no one answers, go to"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=DESTINATION_PICKER),
    )
    greeting = forms.CharField(label=_("IVR: greeting"), max_length=500, required=False)
    options = forms.CharField(
        label=_("IVR: choices"), max_length=300, required=False, help_text=_("Like 1=sales, 2=support")
    )
    timeout = forms.IntegerField(label=_("IVR: wait (seconds)"), min_value=1, max_value=60, required=False)
    max_tries = forms.IntegerField(label=_("IVR: play at most"), min_value=1, max_value=5, required=False)
    timeout_dest = forms.CharField(
        label=_("IVR: if nothing is pressed, go to"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=DESTINATION_PICKER),
    )
    invalid_dest = forms.CharField(
        label=_("IVR: on a wrong key, go to"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=DESTINATION_PICKER),
    )
    email = forms.EmailField(label=_("Voicemail: e-mail messages to"), required=False)
    text = forms.CharField(label=_("Announcement text"), max_length=500, required=False)
    number = forms.CharField(label=_("Forward to number"), max_length=20, required=False)
    tc_open = forms.CharField(
        label=_("Time condition: when open, go to"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=DESTINATION_PICKER),
    )
    tc_closed = forms.CharField(
        label=_("Time condition: when closed, go to"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=DESTINATION_PICKER),
    )
    tc_holiday = forms.CharField(
        label=_("Time condition: on holidays, go to"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=DESTINATION_PICKER),
    )

    def __init__(self, *args: Any, member_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["members"]).choices = member_choices or []

    def clean_options(self) -> dict[str, str]:
        options: dict[str, str] = {}
        for chunk in self.cleaned_data.get("options", "").split(","):
            if not chunk.strip():
                continue
            digit, sep, target = chunk.partition("=")
            if not sep or len(digit.strip()) != 1 or digit.strip() not in flows.DIGITS or not target.strip():
                raise ValidationError(_("Write choices like 1=sales, 2=support."))
            options[digit.strip()] = target.strip()
        return options

    def destination(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["type"]
        out: dict[str, Any] = {"type": kind, "name": data.get("name", "")}
        if kind == "ring_group":
            out |= {
                "members": [int(m) for m in data.get("members") or []],
                "strategy": data.get("strategy") or "",
                "ring_time": data.get("ring_time"),
                "overflow": data.get("overflow", ""),
            }
        elif kind == "ivr":
            out |= {
                "greeting": data.get("greeting", ""),
                "options": data.get("options") or {},
                "timeout": data.get("timeout"),
                "max_tries": data.get("max_tries") or 1,
                "timeout_dest": data.get("timeout_dest", ""),
                "invalid_dest": data.get("invalid_dest", ""),
            }
        elif kind == "voicemail":
            out["email"] = data.get("email", "")
        elif kind == "announcement":
            out["text"] = data.get("text", "")
        elif kind == "forward":
            # As the network takes it (+4520123456): the export's schema refuses "20 12 34 56".
            out["number"] = e164(data.get("number", ""))
        elif kind == "time_condition":
            out |= {route: data.get(f"tc_{route}", "") for route in ("open", "closed", "holiday")}
        return out

    @staticmethod
    def initial_for(key: str, dest: dict[str, Any]) -> dict[str, Any]:
        initial = {"key": key, **dest}
        initial["members"] = [str(m) for m in dest.get("members", [])]
        initial["options"] = ", ".join(f"{d}={t}" for d, t in (dest.get("options") or {}).items())
        for route in ("open", "closed", "holiday"):
            initial[f"tc_{route}"] = dest.get(route, "") if dest.get("type") == "time_condition" else ""
        return initial


class BaseDestinationFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        keys = [
            f.cleaned_data.get("key")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("key")
        ]
        if len(keys) != len(set(keys)):
            raise ValidationError(_("Each destination needs its own key."))


DestinationFormSet = forms.formset_factory(
    DestinationForm,
    formset=BaseDestinationFormSet,
    extra=1,
    can_delete=True,
    max_num=40,
    absolute_max=40,
    validate_max=True,
)


class RoutesForm(forms.Form):
    open = forms.CharField(
        label=_("When open, calls go to"), max_length=40, widget=forms.TextInput(attrs=DESTINATION_PICKER)
    )
    closed = forms.CharField(
        label=_("When closed, calls go to"), max_length=40, widget=forms.TextInput(attrs=DESTINATION_PICKER)
    )
    holiday = forms.CharField(
        label=_("On holidays, calls go to"), max_length=40, widget=forms.TextInput(attrs=DESTINATION_PICKER)
    )
    comment = forms.CharField(label=_("Comment on this version"), max_length=200, required=False)


class TestCallForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    time = forms.TimeField(label=_("Time"), widget=TimeInput)
    digits = forms.CharField(
        label=_("Keys pressed"),
        max_length=10,
        required=False,
        help_text=_("The keys the caller presses in menus, in order, e.g. 2 or 21."),
    )

    def clean_digits(self) -> str:
        digits = self.cleaned_data.get("digits", "").replace(" ", "")
        if any(d not in flows.DIGITS for d in digits):
            raise ValidationError(_("Only the keys 0 to 9, * and #."))
        return digits

    def when(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    b = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            cast(forms.TypedChoiceField, self.fields[name]).choices = [(v, str(v)) for v in versions]


class ScheduleFlowForm(forms.Form):
    """When a flow takes effect: a date and a time, Copenhagen time."""

    date = forms.DateField(label=_("Takes effect on"), widget=DateInput)
    time = forms.TimeField(label=_("at"), widget=TimeInput)
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)

    @staticmethod
    def default_initial() -> dict[str, Any]:
        return {"date": timezone.localdate() + datetime.timedelta(days=1), "time": "00:00"}

    def when(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))


# -- opening hours on a week grid ------------------------------------------------------------------------------

PERIODS_PER_DAY = 3


class WeekHoursForm(ScheduleEditorForm):
    """Opening hours picked with time fields (up to three periods a day, e.g. a lunch closure) instead of typed
    text; the holiday switches as in the expert form (24 and 31 December among the days a company can switch on)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in range(7):
            del self.fields[f"day_{day}"]
            for n in range(PERIODS_PER_DAY):
                self.fields[f"d{day}_p{n}_from"] = forms.TimeField(
                    label=_("Period %(n)d: from") % {"n": n + 1}, required=False, widget=TimeInput
                )
                self.fields[f"d{day}_p{n}_to"] = forms.TimeField(label=_("to"), required=False, widget=TimeInput)

    @staticmethod
    def initial_for(document: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for day in range(7):
            for n, (start, end) in enumerate((document.get("hours") or {}).get(str(day), [])[:PERIODS_PER_DAY]):
                initial[f"d{day}_p{n}_from"], initial[f"d{day}_p{n}_to"] = start, end
        return initial

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or self.cleaned_data
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            periods = []
            for n in range(PERIODS_PER_DAY):
                start, end = data.get(f"d{day}_p{n}_from"), data.get(f"d{day}_p{n}_to")
                if start is None and end is None:
                    continue
                if start is None or end is None or start >= end:
                    self.add_error(f"d{day}_p{n}_from", _("Give a start before the end, e.g. 08:00 to 16:00."))
                    continue
                periods.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
            try:
                hours[str(day)] = flows.parse_periods(flows.format_periods(periods))
            except ValueError:
                self.add_error(f"d{day}_p0_from", _("The periods overlap."))
        data["hours"] = hours
        return data

    def day_rows(self) -> list[tuple[Any, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [
            (name, [(self[f"d{day}_p{n}_from"], self[f"d{day}_p{n}_to"]) for n in range(PERIODS_PER_DAY)])
            for day, name in enumerate(flows.WEEKDAYS)
        ]


class SpecialDayPickForm(forms.Form):
    """A closure or a half day: a date, a name, and either closed all day or open from and to."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    label = forms.CharField(label=_("Name"), max_length=80, required=False)
    closed = forms.BooleanField(label=_("Closed all day"), required=False)
    open_from = forms.TimeField(label=_("Open from"), required=False, widget=TimeInput)
    open_to = forms.TimeField(label=_("to"), required=False, widget=TimeInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("open_from"), data.get("open_to")
        if data.get("closed") or (start is None and end is None):
            data["periods"] = []
        elif start is None or end is None or start >= end:
            self.add_error("open_from", _("Give a start before the end, or tick “Closed all day”."))
        else:
            data["periods"] = [[start.strftime("%H:%M"), end.strftime("%H:%M")]]
        return data

    @staticmethod
    def initial_for(special: dict[str, Any]) -> dict[str, Any]:
        periods = special.get("periods") or []
        return {
            "date": special.get("date"),
            "label": special.get("label", ""),
            "closed": not periods,
            "open_from": periods[0][0] if periods else None,
            "open_to": periods[-1][1] if periods else None,
        }


SpecialDayPickFormSet = forms.formset_factory(
    SpecialDayPickForm, extra=1, can_delete=True, max_num=60, absolute_max=60, validate_max=True
)
