from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import EmployeeRequest
from products.models import Item
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


class HardwareRequestForm(forms.Form):
    """One catalogue item for the employee's own subscription, where to send it, and why."""

    DELIVER_TO = (("company", _("My company's address")), ("own", _("My own address")))

    item = forms.ModelChoiceField(
        label=_("What would you like?"),
        queryset=Item.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an item."), "invalid_choice": _("Choose one of the items shown.")},
    )
    deliver_to = forms.ChoiceField(label=_("Deliver to"), choices=DELIVER_TO, widget=forms.RadioSelect)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Why do you need it?"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your admin reads this before approving."),
        error_messages={"required": _("Tell your admin why you need it.")},
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        # Only what the page shows: another kind, an item no longer for sale or a made-up id is refused.
        item.queryset = items
        item.label_from_instance = lambda i: str(i.display_name)  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("deliver_to") == "own":
            for field in ("street", "postcode", "city"):
                if not str(data.get(field, "")).strip():
                    self.add_error(field, _("Enter the delivery address."))
        return data
