from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.widgets import DateInput
from invoicing.actions import parse_addresses
from invoicing.models import EInvoiceSettings, Invoice, Payment
from invoicing.money import parse_kr, parse_period
from invoicing.periods import check_billable

# Large files are imported as a stream in the background, so the limit only stops the absurd.
MAX_IMPORT_FILE_BYTES = 1024 * 1024 * 1024


class InvoiceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [
            ("", _("All years")),
            *[(y, str(y)) for y in years],
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("All statuses")), *Invoice.Status.choices]


class EInvoiceSignUpForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more addresses, separated by commas or new lines. Each receives a link to confirm."),
    )

    def clean_addresses(self) -> list[str]:
        addresses = parse_addresses(self.cleaned_data["addresses"])
        if len(addresses) > 20:
            raise ValidationError(_("At most 20 addresses at a time."))
        return addresses


class EInvoiceSettingsForm(forms.ModelForm):
    class Meta:
        model = EInvoiceSettings
        fields = ["order_reference", "contact_reference", "accounting_cost", "channel"]
        widgets = {"channel": forms.RadioSelect}


class BillingRunForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("YYYY-MM, e.g. 2026-11."))
    force = forms.BooleanField(label=_("Bill it even though the month is not over"), required=False)
    reason = forms.CharField(
        label=_("Reason for billing early"),
        required=False,
        max_length=200,
        help_text=_("Required with the box above; kept in the audit trail."),
    )

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip()
        try:
            parse_period(value)
        except ValueError:
            raise ValidationError(_("Enter a period as YYYY-MM, e.g. 2026-11.")) from None
        return value

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if "period" in data:
            try:
                check_billable(data["period"], force=data.get("force", False), reason=data.get("reason") or "")
            except ValidationError as error:
                self.add_error("reason" if error.code == "reason" else "period", error)
        return data


class UsageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Usage file (CSV)"), help_text=_("Columns: record_id,phone_number,time,type,quantity,charge_ore")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_FILE_BYTES:
            raise ValidationError(_("The file is too large (at most 1 GB)."))
        return upload  # read as a stream by the import, which names any line that is not UTF-8


class CreditNoteForm(forms.Form):
    number = forms.IntegerField(label=_("Invoice number"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean_number(self) -> Invoice:
        invoice = (
            Invoice.objects.unscoped().select_related("company").filter(number=self.cleaned_data["number"]).first()
        )
        if invoice is None:
            raise ValidationError(_("There is no invoice with this number."))
        return invoice


class KronerField(forms.Field):
    """An amount in kroner as people write it (1.234,56 or 1234.56) → integer øre."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20, "autocomplete": "off"})

    def to_python(self, value: Any) -> Any:
        value = str(value or "").strip()
        if value in self.empty_values:
            return None
        if len(value) > 20:
            raise ValidationError(_("Enter an amount in kroner, e.g. 1.234,56."))
        try:
            ore = parse_kr(value)
        except ValueError:
            raise ValidationError(_("Enter an amount in kroner, e.g. 1.234,56.")) from None
        if ore <= 0:
            raise ValidationError(_("The amount must be more than 0."))
        return ore


class PaymentForm(forms.Form):
    """Staff: register money received. ``invoice`` fixes the invoice (staff invoice page)."""

    number = forms.IntegerField(label=_("Invoice number"), min_value=1)
    amount = KronerField(label=_("Amount (DKK)"), help_text=_("Incl. VAT, e.g. 1.234,56."))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices, initial=Payment.Method.BANK_TRANSFER)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("E.g. the bank's reference or the FI code.")
    )

    def __init__(self, *args: Any, invoice: Invoice | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        if invoice is not None:
            del self.fields["number"]
        self.fields["paid_on"].initial = timezone.localdate

    def clean_number(self) -> Invoice:
        invoice = (
            Invoice.objects.unscoped().select_related("company").filter(number=self.cleaned_data["number"]).first()
        )
        if invoice is None:
            raise ValidationError(_("There is no invoice with this number."))
        return invoice

    def clean_paid_on(self) -> Any:
        day = self.cleaned_data["paid_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The payment date cannot be in the future."))
        return day

    def clean(self) -> Any:
        super().clean()
        data = self.cleaned_data
        if self.invoice is not None:
            data["number"] = self.invoice
        return data


class PaymentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank file (CSV)"), help_text=_("One payment per line: invoice number;amount;date;reference")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_FILE_BYTES:
            raise ValidationError(_("The file is too large (at most 1 GB)."))
        return upload  # read as a stream by the import, which names any line that is not UTF-8
