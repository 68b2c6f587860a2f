import datetime
from typing import Any, cast

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common import formats
from common.widgets import DateInput
from subscriptions.actions import earliest_cancel_date
from subscriptions.identifiers import is_operator_iccid, is_valid_iccid, operator_iccid_prefixes
from subscriptions.models import BLOCK_FIELDS, AddOn, NumberPool, Product, SimOrder, Subscription

SORT_CHOICES = [
    ("name", _("Name A–Å")),  # noqa: RUF001
    ("-name", _("Name Å–A")),  # noqa: RUF001
    ("type", _("Subscription type")),
    ("-type", _("Subscription type, reversed")),
    ("email", _("E-mail A–Z")),  # noqa: RUF001
    ("-email", _("E-mail Z–A")),  # noqa: RUF001
    ("phone", _("Phone number, ascending")),
    ("-phone", _("Phone number, descending")),
]


# Ids beyond the database's 64-bit integers are refused as invalid choices before any query:
# SQLite raises OverflowError and PostgreSQL an error for them in an ``IN (...)`` lookup (a 500).
MAX_ID = 2**63 - 1


def _id(value: object) -> int:
    number = int(value)  # type: ignore[call-overload]
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


class IdsMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if str(pk).strip().lstrip("+-").isdigit() and abs(int(pk)) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # private in Django, missing from django-stubs


def _priced_label(obj: Product | AddOn) -> str:
    return f"{obj.display_name} — {formats.money(obj.monthly_price)}"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return _priced_label(obj)


class AddOnsChoiceField(IdsMultipleChoiceField):
    def label_from_instance(self, obj: AddOn) -> str:
        return _priced_label(obj)


class GuideAddOnsChoiceField(IdsMultipleChoiceField):
    """The guide's add-ons: the monthly price excl. VAT, and incl. VAT (moms) beside it."""

    def label_from_instance(self, obj: AddOn) -> str:
        from subscriptions.pricing import Price

        return _("%(name)s — %(price)s per month excl. VAT (%(gross)s incl. VAT)") % {
            "name": obj.display_name,
            "price": formats.money(obj.monthly_price),
            "gross": formats.money(Price(obj.monthly_price).gross),
        }


class ProductCardsSelect(forms.RadioSelect):
    """Each type as a card: price excl. and incl. VAT, binding period and what is included."""

    option_template_name = "subscriptions/widgets/product_option.html"


class AnyIdsField(forms.TypedMultipleChoiceField):
    """Ids are not offered as choices; the view checks them against the company."""

    def valid_value(self, value: object) -> bool:
        return True


class ListForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Subscription.Status.choices]
    )
    product = forms.ModelChoiceField(
        label=_("Subscription type"), required=False, queryset=Product.objects.all(), empty_label=_("All types")
    )
    cost_centre = forms.ChoiceField(label=_("Cost centre"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, cost_centres: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cost_centres = cost_centres
        cast(forms.ChoiceField, self.fields["cost_centre"]).choices = [("", _("All cost centres"))] + [
            (c, c) for c in cost_centres
        ]
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, e-mail, phone number or SIM number"), "type": "search", "autocomplete": "off"}
        )

    def cleaned(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        # Unknown filter values are ignored rather than failing the page.
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}


class DetailsForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["user_name", "email", "cost_centre", "salary_number", "invoice_note"]

    def clean_user_name(self) -> str:
        name = " ".join(self.cleaned_data["user_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the user's name."))
        return name

    def clean_salary_number(self) -> str:
        value = self.cleaned_data["salary_number"].strip()
        if value and not value.replace("-", "").isalnum():
            raise forms.ValidationError(_("Use only letters, digits and hyphens."))
        return value


class ChangeProductForm(forms.Form):
    target = ProductChoiceField(
        label=_("New subscription type"), queryset=Product.objects.none(), widget=forms.RadioSelect
    )
    effective = forms.ChoiceField(
        label=_("Effective"),
        widget=forms.RadioSelect,
        initial="now",
        choices=[("now", _("Now")), ("next_period", _("From the next period (the 1st of next month)"))],
    )

    def __init__(self, *args: Any, subscription: Subscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = cast(ProductChoiceField, self.fields["target"])
        target.queryset = subscription.product.allowed_changes.filter(is_active=True)


class CancelForm(forms.Form):
    end_date = forms.DateField(label=_("Last day"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, subscription: Subscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earliest = earliest_cancel_date(subscription)
        self.fields["end_date"].initial = self.earliest
        self.fields["end_date"].help_text = _("The earliest possible date is %(date)s (notice period).") % {
            "date": formats.date(self.earliest)
        }

    def clean_end_date(self) -> datetime.date:
        value = self.cleaned_data["end_date"]
        if value < self.earliest:
            raise forms.ValidationError(
                _("The earliest possible date is %(date)s.") % {"date": formats.date(self.earliest)}
            )
        return value

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason for the cancellation."))
        return reason


class SimOrderForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        widget=forms.RadioSelect,
        choices=[
            (SimOrder.Kind.REPLACEMENT, _("A new physical SIM card sent by post")),
            (SimOrder.Kind.ESIM, _("Move to eSIM (a QR code for the phone)")),
        ],
    )
    ship_to = forms.CharField(
        label=_("Send the SIM card to"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=200, help_text=_("For example: lost, stolen or damaged.")
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == SimOrder.Kind.REPLACEMENT and not (data.get("ship_to") or "").strip():
            self.add_error("ship_to", _("Give the address the new SIM card should be sent to."))
        return data


# The creation guide -------------------------------------------------------


class UserStepForm(forms.Form):
    user_name = forms.CharField(label=_("User's name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=40, required=False)

    def __init__(self, *args: Any, cost_centres: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cost_centres is not None:
            # An admin limited to cost centres: one of theirs, from a list (create_subscription checks it again).
            self.fields["cost_centre"] = forms.ChoiceField(
                label=_("Cost centre"), choices=[(c, c) for c in cost_centres], required=True
            )

    def clean_user_name(self) -> str:
        name = " ".join(self.cleaned_data["user_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the user's name."))
        return name


class ProductStepForm(forms.Form):
    product = ProductChoiceField(
        label=_("Subscription type"),
        # Mobile first, as most new subscriptions are, then mobile broadband and landlines.
        queryset=Product.objects.filter(is_active=True).order_by(
            Case(When(kind=Product.Kind.MOBILE, then=0), When(kind=Product.Kind.BROADBAND, then=1), default=2),
            "sort_order",
            "monthly_price",
        ),
        widget=ProductCardsSelect(attrs={"class": "product-options"}),
        empty_label=None,
        help_text=_("Prices are per month and exclude VAT (25 %); the price incl. VAT is shown below each."),
    )
    add_ons = GuideAddOnsChoiceField(
        label=_("Add-ons"),
        required=False,
        queryset=AddOn.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Not every add-on is available on every type."),
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        product, add_ons = data.get("product"), data.get("add_ons") or []
        if product is not None:
            wrong = [a.display_name for a in add_ons if not a.products.filter(pk=product.pk).exists()]
            if wrong:
                self.add_error(
                    "add_ons",
                    _("Not available on %(product)s: %(add_ons)s.")
                    % {"product": product.display_name, "add_ons": ", ".join(wrong)},
                )
        return data


class NumberStepForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Number"),
        widget=forms.RadioSelect,
        choices=[("pool", _("A new number")), ("port", _("Keep an existing number from another operator"))],
    )
    pool_number = forms.ChoiceField(label=_("Choose a new number"), required=False)
    port_number = forms.CharField(label=_("Existing number"), required=False, max_length=30)
    port_operator = forms.ChoiceField(label=_("Current operator"), required=False)
    signed_name = forms.CharField(
        label=_("Your full name"),
        required=False,
        max_length=200,
        help_text=_("Signs the porting authorisation (porteringsfuldmagt) for the company, the holder of the number."),
    )
    consent = forms.BooleanField(
        label=_(
            "I am authorised to sign for the holder and ask for this number to be moved to you from the current "
            "operator, which ends the subscription there."
        ),
        required=False,
    )

    def __init__(self, *args: Any, product_kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from common.telecom import OPERATORS

        self.product_kind = product_kind
        free = NumberPool.objects.filter(reserved_for__isnull=True).values_list("phone_number", flat=True)[:12]
        cast(forms.ChoiceField, self.fields["pool_number"]).choices = [("", "—")] + [
            (n, formats.phone(n)) for n in free
        ]
        cast(forms.ChoiceField, self.fields["port_operator"]).choices = [("", "—"), *OPERATORS]
        if product_kind == Product.Kind.LANDLINE:
            self.fields["port_number"].help_text = _("A Danish landline number.")
        elif product_kind:
            self.fields["port_number"].help_text = _("A Danish mobile number.")

    def clean(self) -> dict:
        from common.telecom import NumberError, parse_landline, parse_mobile

        super().clean()

        data = self.cleaned_data
        if data.get("choice") == "pool":
            if not data.get("pool_number"):
                self.add_error("pool_number", _("Choose a number."))
            data["phone_number"] = data.get("pool_number") or ""
            data["port_operator"], data["signed_name"], data["consent"] = "", "", False
        elif data.get("choice") == "port":
            phone = ""
            raw = (data.get("port_number") or "").strip()
            try:
                if not raw:
                    raise NumberError(_("Enter a valid Danish phone number, e.g. 20 12 34 56."))
                # Landline and mobile numbers cannot be ported into each other (Teleloven § 28a).
                phone = parse_landline(raw) if self.product_kind == Product.Kind.LANDLINE else parse_mobile(raw)
            except NumberError as error:
                self.add_error("port_number", str(error))
            if phone and (
                Subscription.objects.unscoped()
                .filter(phone_number=phone)
                .exclude(status__in=[Subscription.Status.TERMINATED, Subscription.Status.CANCELLED])
                .exists()
            ):
                self.add_error("port_number", _("This number is already with us."))
            if not data.get("port_operator"):
                self.add_error("port_operator", _("Choose the current operator."))
            if not (data.get("signed_name") or "").strip():
                self.add_error("signed_name", _("Type your full name to sign."))
            if not data.get("consent"):
                self.add_error("consent", _("Tick the box to give your consent."))
            data["signed_name"] = (data.get("signed_name") or "").strip()
            data["phone_number"] = phone
        return data


class SimStepForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("SIM card"),
        widget=forms.RadioSelect,
        choices=[
            ("physical", _("A SIM card the company already has")),
            ("ship", _("Send a new SIM card")),
            ("esim", _("eSIM")),
        ],
    )
    iccid = forms.CharField(
        label=_("SIM card number (ICCID)"),
        required=False,
        max_length=30,
        help_text=_("19 or 20 digits starting with 89, printed on the SIM card."),
    )
    ship_to = forms.CharField(
        label=_("Send the SIM card to"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("choice") == "physical":
            iccid = "".join((data.get("iccid") or "").split())
            if not is_valid_iccid(iccid):
                self.add_error("iccid", _("Not a valid SIM card number: 19–20 digits, starting with 89, check digit."))  # noqa: RUF001
            elif not is_operator_iccid(iccid):
                self.add_error(
                    "iccid",
                    _(
                        "This SIM card is not one of ours (our SIM card numbers start with %(prefixes)s). Use a SIM "
                        "card from us, or choose an eSIM or a new SIM card."
                    )
                    % {"prefixes": ", ".join(operator_iccid_prefixes())},
                )
            elif Subscription.objects.unscoped().filter(iccid=iccid).exists():
                self.add_error("iccid", _("This SIM card is already in use."))
            data["iccid"] = iccid
        else:
            data["iccid"] = ""
        if data.get("choice") == "ship" and not (data.get("ship_to") or "").strip():
            self.add_error("ship_to", _("Give the address the new SIM card should be sent to."))
        return data


class BulkForm(forms.Form):
    ACTIONS = [
        ("cancel", _("Cancel subscriptions")),
        ("change_product", _("Change subscription type")),
        ("cost_centre", _("Change cost centre")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = AnyIdsField(required=False, coerce=_id, choices=[])
    all = forms.BooleanField(required=False)
    end_date = forms.DateField(label=_("Last day"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    target = forms.ModelChoiceField(
        label=_("New subscription type"), required=False, queryset=Product.objects.filter(is_active=True)
    )
    cost_centre_value = forms.CharField(label=_("New cost centre"), required=False, max_length=40)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if not data.get("all") and not data.get("ids"):
            raise forms.ValidationError(_("Tick at least one subscription."))
        action = data.get("action")
        if action == "cancel":
            if not data.get("end_date"):
                self.add_error("end_date", _("Choose the last day."))
            elif data["end_date"] < timezone.localdate():
                self.add_error("end_date", _("The date cannot be in the past."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Give a reason for the cancellation."))
        elif action == "change_product" and not data.get("target"):
            self.add_error("target", _("Choose the new subscription type."))
        elif action == "cost_centre" and not (data.get("cost_centre_value") or "").strip():
            self.add_error("cost_centre_value", _("Enter the new cost centre."))
        return data


# The profile: add-ons, service blocks, suspension ------------------------------


class AddOnsForm(forms.Form):
    add_ons = AddOnsChoiceField(
        label=_("Add-ons"), required=False, queryset=AddOn.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, subscription: Subscription, **kwargs: Any) -> None:
        from subscriptions.actions import allowed_add_ons

        super().__init__(*args, **kwargs)
        field = cast(AddOnsChoiceField, self.fields["add_ons"])
        order = "name_da" if (get_language() or "").startswith("da") else "name"
        field.queryset = AddOn.objects.filter(pk__in=[a.pk for a in allowed_add_ons(subscription)]).order_by(order)
        field.initial = list(subscription.add_ons.values_list("pk", flat=True))
        field.help_text = _("The add-ons %(product)s offers. Prices are per month, excl. VAT.") % {
            "product": subscription.product.display_name
        }


class BlocksForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = BLOCK_FIELDS
        widgets = {
            name: forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}) for name in BLOCK_FIELDS
        }
        # The model's help text starts with the Danish term; English pages get English only.
        help_texts = {
            "block_premium": _("Premium-rate services: 90-numbers, premium texts and content charged to the bill.")
        }


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, help_text=_("For example: on parental leave until 1 March.")
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Give a reason for the suspension."))
        return reason
