"""Forms of the Admins page. Choices list every area and level: the action refuses what the main admin does not
hold, with a message that says so (a forged POST gets the same answer as the form)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Membership
from registry.areas import registry

NO_ACCESS = ""


def level_field_name(key: str) -> str:
    return f"level_{key}"


class GrantForm(forms.Form):
    """Per area: no access, read only or full access; optionally limited to cost centres; main admin.

    Every area and level is offered: the action refuses what the main admin does not hold (an area, full access
    to an area they have read-only, cost centres outside their own), with a message that says so."""

    cost_centres = forms.MultipleChoiceField(
        label=_("Limit to cost centres"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Leave empty for the whole company. Limited, the admin sees and changes only these cost centres' "
            "subscriptions and invoice lines (Subscriptions and Invoices only)."
        ),
    )
    is_main_admin = forms.BooleanField(
        label=_("Main admin"),
        required=False,
        help_text=_("A main admin invites, changes and removes admins, granting only what they have themselves."),
    )

    def __init__(self, *args: Any, manager: Membership, cost_centres: list[str], **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        current = initial.pop("grant", None)
        for area in registry.all():
            initial.setdefault(level_field_name(area.key), (current.level(area.key) if current else None) or NO_ACCESS)
        if current is not None:
            initial.setdefault("cost_centres", list(current.cost_centres))
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        choices = [
            (NO_ACCESS, _("No access")),
            (Membership.Access.READ_ONLY, Membership.Access.READ_ONLY.label),
            (Membership.Access.FULL, Membership.Access.FULL.label),
        ]
        levels = {}
        for area in registry.all():
            held = manager.level(area.key)
            hint: Any = ""
            if held is None:
                hint = _("You do not have this area, so you cannot grant it.")
            elif held == Membership.Access.READ_ONLY:
                hint = _("You have read-only access, so you can grant read only.")
            levels[level_field_name(area.key)] = forms.ChoiceField(
                label=str(area.title), choices=choices, widget=forms.RadioSelect, required=False, help_text=hint
            )
        # The level fields first, then the limits and the main-admin flag.
        self.fields = {**levels, **self.fields}
        own = set(manager.cost_centres)
        offered = sorted(set(cost_centres) | set(initial.get("cost_centres") or []))
        field = self.fields["cost_centres"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c, c) for c in offered if not own or c in own or c in (initial.get("cost_centres") or [])]
        if own:
            field.help_text = _("Your access is limited to %(centres)s: you can grant only those.") % {
                "centres": ", ".join(manager.cost_centres)
            }
        if not field.choices:
            field.widget = forms.MultipleHiddenInput()

    def grant(self) -> dict[str, Any]:
        """The keyword arguments of the actions: areas, read-only areas and cost centres."""
        data = self.cleaned_data
        levels = {area.key: data.get(level_field_name(area.key)) or NO_ACCESS for area in registry.all()}
        return {
            "access": Membership.Access.FULL,
            "areas": [key for key, level in levels.items() if level],
            "read_only_areas": [key for key, level in levels.items() if level == Membership.Access.READ_ONLY],
            "cost_centres": data.get("cost_centres") or [],
        }


class InviteForm(GrantForm):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="da")
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), empty_label=None)

    def __init__(
        self,
        *args: Any,
        manager: Membership,
        companies: list[Company],
        cost_centres: dict[int, list[str]],
        **kwargs: Any,
    ) -> None:
        every = sorted({c for centres in cost_centres.values() for c in centres})
        super().__init__(*args, manager=manager, cost_centres=every, **kwargs)
        self.cost_centres_by_company = cost_centres
        first = ["email", "first_name", "last_name", "language", "company"]
        self.fields = {**{k: self.fields[k] for k in first}, **{k: v for k, v in self.fields.items() if k not in first}}
        field = self.fields["company"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Company.objects.filter(pk__in=[c.pk for c in companies])
        if len(companies) == 1:
            field.widget = forms.HiddenInput()
        field.initial = companies[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        company, chosen = data.get("company"), data.get("cost_centres") or []
        if company is not None:
            theirs = set(self.cost_centres_by_company.get(company.pk, []))
            outside = [c for c in chosen if c not in theirs]
            if outside:
                self.add_error(
                    "cost_centres",
                    _("%(company)s has no cost centre %(centres)s.")
                    % {"company": company, "centres": ", ".join(outside)},
                )
        return data


class AppointForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_(
            "An admin of the company becomes main admin; anyone else is invited as main admin with every area."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for appointing"), max_length=500, help_text=_("E.g. the ticket number or the call.")
    )
