from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import Membership
from registry.areas import registry


class APIClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the client is for, e.g. “HR system” — it is shown in the activity log."),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        choices=Membership.Access.choices,
        initial=Membership.Access.READ_ONLY,
        widget=forms.RadioSelect,
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The client can use only these areas, and never more than you can."),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An admin cannot give a client more than they have themselves.
        areas = cast(forms.MultipleChoiceField, self.fields["areas"])
        areas.choices = [(area.key, area.title) for area in registry.all() if membership.has_area(area.key)]
        self.membership = membership

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Full access only to the areas the admin has full access to (levels are per area).
        if data.get("access") == Membership.Access.FULL:
            read_only = [key for key in data.get("areas") or [] if not self.membership.can_change_area(key)]
            if read_only:
                titles = ", ".join(str(registry.get(key).title) for key in read_only)
                self.add_error(
                    "access",
                    _("You have read-only access to %(areas)s, so the client can only have read-only access.")
                    % {"areas": titles},
                )
        return data

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter a name for the API client."))
        return name
