"""Forms of the Admins page. Choices list every area: the action refuses what the main admin does not hold,
with a message that says so (a forged POST gets the same answer as the form)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Membership
from registry.areas import registry


class GrantForm(forms.Form):
    areas = forms.MultipleChoiceField(
        label=_("Areas"), choices=registry.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    access = forms.ChoiceField(
        label=_("Access"), choices=Membership.Access.choices, widget=forms.RadioSelect, initial="full"
    )
    is_main_admin = forms.BooleanField(
        label=_("Main admin"),
        required=False,
        help_text=_("A main admin invites, changes and removes admins, granting only what they have themselves."),
    )

    def __init__(self, *args: Any, manager: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = ", ".join(str(a.title) for a in manager.granted_areas()) or "—"
        self.fields["areas"].help_text = _("You can grant the areas you have yourself: %(areas)s.") % {"areas": held}


class InviteForm(GrantForm):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="da")
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), empty_label=None)

    field_order = ["email", "first_name", "last_name", "language", "company", "areas", "access", "is_main_admin"]

    def __init__(self, *args: Any, manager: Membership, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(*args, manager=manager, **kwargs)
        field = self.fields["company"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Company.objects.filter(pk__in=[c.pk for c in companies])
        if len(companies) == 1:
            field.widget = forms.HiddenInput()
        field.initial = companies[0].pk


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
