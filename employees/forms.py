from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import EmployeeRequest
from subscriptions.models import Product, Subscription


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail address"),
        help_text=_("The address your company registered on your subscription."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"), choices=EmployeeRequest.Kind.choices, widget=forms.RadioSelect
    )
    product = forms.ModelChoiceField(
        label=_("Subscription type"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Only the types your subscription can change to."),
    )
    ship_to = forms.CharField(
        label=_("Send the new SIM card to"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a new SIM card: the address it should be sent to."),
    )
    message = forms.CharField(
        label=_("Message to your admin (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, sub: Subscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sub = sub
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        # The catalogue's allowed changes from the employee's product only: any other id is "not a valid choice".
        product.queryset = sub.product.allowed_changes.filter(is_active=True).order_by("monthly_price", "name")
        product.label_from_instance = lambda p: str(p.display_name)  # type: ignore[method-assign,assignment]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        if not sub.is_mobile:
            kind.choices = [(EmployeeRequest.Kind.UPGRADE, EmployeeRequest.Kind.UPGRADE.label)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == EmployeeRequest.Kind.UPGRADE and not data.get("product"):
            self.add_error("product", _("Choose the subscription type you would like."))
        if data.get("kind") == EmployeeRequest.Kind.SIM and not str(data.get("ship_to", "")).strip():
            self.add_error("ship_to", _("Give the address the new SIM card should be sent to."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
