"""Forms of the Products area. Amounts are typed in kroner and kept in øre."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from common import uploads
from companies.models import Company
from products import selectors
from products.models import Item, Order, ProductSettings
from subscriptions.models import Subscription

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_KINDS = (uploads.PNG, uploads.JPEG)


class KronerField(forms.DecimalField):
    """An amount in kroner (``1234,50`` or ``1234.50``), cleaned to integer øre."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\xa0", "")
            if "," in value:  # Danish: 1.234,50
                value = value.replace(".", "").replace(",", ".")
            elif re.fullmatch(r"\d{1,3}(\.\d{3})+", value):  # 5.000: grouped thousands (øre has 2 decimals)
                value = value.replace(".", "")
        return super().to_python(value)

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        if amount is None:
            return None
        try:
            return int((amount * 100).to_integral_value())
        except InvalidOperation:
            raise ValidationError(_("Enter an amount in kroner.")) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{value / 100:.2f}"
        return value


class SubscriptionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Subscription) -> str:
        return f"{obj.user_name} ({obj.phone_number})" if obj.phone_number else obj.user_name


class AddToBasketForm(forms.Form):
    item = forms.ModelChoiceField(queryset=Item.objects.none(), widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=50, initial=1)
    subscription = SubscriptionChoiceField(
        label=_("For subscription"), queryset=Subscription.objects.none(), required=False, empty_label=_("None")
    )
    employee_name = forms.CharField(label=_("Employee's name"), max_length=200, required=False)
    employee_email = forms.EmailField(label=_("Employee's e-mail"), required=False)

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = selectors.catalogue()  # type: ignore[attr-defined]
        self.fields["subscription"].queryset = selectors.subscriptions_for_choice(company=company)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item = data.get("item")
        if (
            item is not None
            and item.kind == Item.Kind.ESIM
            and not (data.get("employee_email") or (data.get("subscription") and data["subscription"].email))
        ):
            self.add_error("employee_email", _("An eSIM is sent to the employee by e-mail: enter their address."))
        return data


class CheckoutForm(forms.Form):
    DELIVER_TO = (("company", _("The company's address")), ("other", _("An employee or another address")))

    deliver_to = forms.ChoiceField(
        label=_("Deliver to"), choices=DELIVER_TO, widget=forms.RadioSelect, initial="company"
    )
    name = forms.CharField(label=_("Recipient"), max_length=200, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    billing = forms.ChoiceField(
        label=_("Invoicing"), choices=Order.Billing.choices, widget=forms.RadioSelect, initial=Order.Billing.ONE_OFF
    )
    note = forms.CharField(label=_("Note for the order (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("deliver_to") == "company":
            company = self.company
            if not (company.street and company.postcode and company.city):
                self.add_error("deliver_to", _("We have no address for your company: enter the delivery address."))
            data.update(name=company.name, street=company.street, postcode=company.postcode, city=company.city)
        elif data.get("deliver_to") == "other":
            for field in ("name", "street", "postcode", "city"):
                if not data.get(field, "").strip():
                    self.add_error(field, _("Enter the delivery address."))
        return data


class SettingsForm(forms.Form):
    approval_limit = KronerField(
        label=_("A second admin approves orders above (DKK, excl. VAT)"),
        required=False,
        help_text=_("Leave empty for no amount limit."),
    )
    approve_phones = forms.BooleanField(
        label=_("Any order with a phone needs a second admin's approval"), required=False
    )
    zero_touch_provider = forms.ChoiceField(
        label=_("Zero-touch enrolment service"),
        choices=[("", _("None")), *ProductSettings.Provider.choices],
        required=False,
    )
    zero_touch_org_id = forms.CharField(label=_("Organisation id at the service"), max_length=80, required=False)
    employees_may_request = forms.BooleanField(
        label=_("Employees may ask for hardware from their own page"),
        required=False,
        help_text=_("An employee's request always waits for an admin's approval."),
    )
    employee_kinds = forms.MultipleChoiceField(
        label=_("What employees may ask for"),
        choices=Item.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("zero_touch_provider")) != bool((data.get("zero_touch_org_id") or "").strip()):
            self.add_error(
                "zero_touch_org_id", _("Choose the service and enter its organisation id, or leave both empty.")
            )
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class ReturnForm(forms.Form):
    line = forms.TypedChoiceField(label=_("Item"), coerce=int, choices=())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=50, initial=1)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [  # type: ignore[attr-defined]
            (line.pk, line.item.display_name)
            for line in order.lines.all()
            if line.item.is_hardware and line.shipped_quantity
        ]


class ReissueForm(forms.Form):
    activation = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(label=_("Send the new code to"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=(("approve", _("Approve")), ("refuse", _("Refuse"))))


# -- staff ------------------------------------------------------------------------------------------------


def validate_image(upload: UploadedFile) -> uploads.Kind:
    """A PNG or JPEG by its content (not its name) that Pillow can open, at most 2 MB."""
    if upload.size and upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."))
    kind = uploads.sniff(upload)
    if kind not in IMAGE_KINDS:
        raise ValidationError(_("Upload a PNG or JPEG image."))
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise ValidationError(_("The image could not be read. Upload a PNG or JPEG image.")) from None
    finally:
        upload.seek(0)
    return kind


class ItemForm(forms.ModelForm):
    price = KronerField(label=_("Price (DKK, excl. VAT)"))
    image = forms.FileField(label=_("Image (PNG or JPEG, at most 2 MB)"), required=False)

    class Meta:
        model = Item
        fields = [
            "code",
            "kind",
            "name",
            "name_da",
            "description",
            "description_da",
            "price",
            "delivery_days",
            "is_active",
            "sort_order",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The stock is never saved from this form (it would undo orders placed while it was open): a new
        # item's first units are received as a stock movement, later changes use StockForm.
        if self.instance.pk is None:
            self.fields["opening_stock"] = forms.IntegerField(
                label=_("Units received now"), min_value=0, max_value=100000, initial=0, required=False
            )

    def clean_image(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("image")
        if upload:
            self.image_kind = validate_image(upload)
        return upload


class StockForm(forms.Form):
    """A change of an item's stock: a delta (received, written off) or a counted value checked against
    the stock the page showed (``seen``)."""

    KINDS = (
        ("receive", _("Received: add units")),
        ("write_off", _("Write off: remove units")),
        ("count", _("Counted: correct to the number counted")),
    )

    kind = forms.ChoiceField(label=_("Change"), choices=KINDS, widget=forms.RadioSelect, initial="receive")
    quantity = forms.IntegerField(label=_("Number of units"), min_value=0, max_value=100000)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StaffFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("To fulfil")), *Order.State.choices], required=False)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=40, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    tracking_url = forms.URLField(label=_("Tracking link"), max_length=300, required=False, assume_scheme="https")

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_lines = [line for line in order.lines.all() if line.outstanding]
        for line in self.order_lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Send now: %(item)s") % {"item": line.item.display_name},
                min_value=0,
                max_value=line.outstanding,
                initial=line.outstanding,
            )
            if line.item.is_device and order.zero_touch_provider:
                self.fields[f"serials_{line.pk}"] = forms.CharField(
                    label=_("Serial numbers or IMEIs, one per line (for zero-touch enrolment)"),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    required=False,
                )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField | None]]:
        return [
            (line, self[f"qty_{line.pk}"], self[f"serials_{line.pk}"] if f"serials_{line.pk}" in self.fields else None)
            for line in self.order_lines
        ]

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"qty_{line.pk}") or 0 for line in self.order_lines}

    def serials(self) -> dict[int, list[str]]:
        found = {}
        for line in self.order_lines:
            text = self.cleaned_data.get(f"serials_{line.pk}") or ""
            found[line.pk] = [s.strip() for s in text.splitlines() if s.strip()]
        return found
