from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from invoicing.actions import parse_addresses
from invoicing.models import Invoice
from invoicing.money import parse_period

MAX_USAGE_FILE_BYTES = 50 * 1024 * 1024


class InvoiceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
        self.fields["status"].choices = [("", _("All statuses")), *Invoice.Status.choices]


class EInvoiceSignUpForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-mail addresses"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more addresses, separated by commas or new lines. Each receives a link to confirm."),
    )

    def clean_addresses(self) -> list[str]:
        addresses = parse_addresses(self.cleaned_data["addresses"])
        if len(addresses) > 20:
            raise ValidationError(_("At most 20 addresses at a time."))
        return addresses


class BillingRunForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("YYYY-MM, e.g. 2026-11."))

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip()
        try:
            parse_period(value)
        except ValueError:
            raise ValidationError(_("Enter a period as YYYY-MM, e.g. 2026-11.")) from None
        return value


class UsageUploadForm(forms.Form):
    file = forms.FileField(label=_("Usage file (CSV)"),
                           help_text=_("Columns: phone_number,time,type,quantity,charge_ore"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_USAGE_FILE_BYTES:
            raise ValidationError(_("The file is too large (at most 50 MB)."))
        try:
            upload.text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file must be UTF-8 encoded CSV.")) from None
        return upload


class CreditNoteForm(forms.Form):
    number = forms.IntegerField(label=_("Invoice number"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean_number(self) -> Invoice:
        invoice = Invoice.objects.select_related("company").filter(number=self.cleaned_data["number"]).first()
        if invoice is None:
            raise ValidationError(_("There is no invoice with this number."))
        return invoice
