"""The staff invoicing page's forms: what each one does when it is posted.

The page (``invoicing.views.staff_index``) holds six forms, told apart by the posted ``action``. Each handler
of ``HANDLERS`` binds its form on ``StaffForms`` and, when the form is valid and the action succeeds, returns
``Done`` (a message and where to go); ``None`` shows the page again with the errors on the form.
Cross-company on purpose (staff only).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from audit.actor import Actor
from common import formats
from common.forms import errors_to
from invoicing import actions, imports
from invoicing.forms import (
    BillingRunForm,
    CreditNoteForm,
    PaymentForm,
    PaymentUploadForm,
    UsageUploadForm,
)
from invoicing.models import PaymentImport, UsageImport

# Rows of an import's errors the page lists.
ERRORS_SHOWN = 200


@dataclass(frozen=True)
class Done:
    """A form that did its work: where to go next, and what to tell the staff member ('' for nothing)."""

    url: str
    message: str = ""


@dataclass
class StaffForms:
    """The page's forms, unbound until one is posted, and the errors of a refused import."""

    billing: BillingRunForm = field(default_factory=lambda: BillingRunForm(prefix="billing"))
    usage: UsageUploadForm = field(default_factory=lambda: UsageUploadForm(prefix="usage"))
    credit: CreditNoteForm = field(default_factory=lambda: CreditNoteForm(prefix="credit"))
    payment: PaymentForm = field(default_factory=lambda: PaymentForm(prefix="payment"))
    bank: PaymentUploadForm = field(default_factory=lambda: PaymentUploadForm(prefix="bank"))
    import_errors: list[str] = field(default_factory=list)
    bank_errors: list[str] = field(default_factory=list)


Handler = Callable[[StaffForms, Any, MultiValueDict, Actor], Done | None]

_STAFF = "invoice:staff"


def start_billing(forms: StaffForms, data: Any, files: MultiValueDict, by: Actor) -> Done | None:
    form = forms.billing = BillingRunForm(data, prefix="billing")
    if not form.is_valid():
        return None
    period = form.cleaned_data["period"]
    actions.start_billing_run(
        period=period, by=by, force=form.cleaned_data["force"], reason=form.cleaned_data["reason"]
    )
    return Done(reverse(_STAFF), _("The billing run for %(period)s has started.") % {"period": formats.period(period)})


def import_usage(forms: StaffForms, data: Any, files: MultiValueDict, by: Actor) -> Done | None:
    form = forms.usage = UsageUploadForm(data, files, prefix="usage")
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    if upload.size > imports.BACKGROUND_IMPORT_BYTES:
        queued = actions.queue_import(UsageImport, file=upload, by=by)
        return Done(reverse("invoice:staff_usage_import", kwargs={"usage_import_id": queued.pk}))
    try:
        batch = imports.run_usage_import(imports.Source.of(filename=upload.name, data=upload.read()), by=by)
    except imports.UsageImportError as error:
        forms.import_errors = error.messages[:ERRORS_SHOWN]
        return None
    return Done(
        reverse(_STAFF),
        _("Imported %(rows)s usage records from %(file)s.") % {"rows": batch.rows, "file": batch.filename},
    )


def issue_credit_note(forms: StaffForms, data: Any, files: MultiValueDict, by: Actor) -> Done | None:
    form = forms.credit = CreditNoteForm(data, prefix="credit")
    if not form.is_valid():
        return None
    with errors_to(form):
        credit = actions.create_credit_note(
            invoice=form.cleaned_data["number"], reason=form.cleaned_data["reason"], by=by
        )
        return Done(reverse(_STAFF), _("Credit note %(number)s was issued.") % {"number": credit.number})
    return None


def register_payment(form: PaymentForm, by: Actor) -> str | None:
    """Registers the form's payment and says so; None (with the error on the form) when it is refused."""
    if not form.is_valid():
        return None
    invoice = form.cleaned_data["number"]
    with errors_to(form):
        actions.register_payment(
            invoice,
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            method=form.cleaned_data["method"],
            by=by,
        )
        return _("Payment of %(amount)s registered on invoice %(number)s (%(status)s).") % {
            "amount": formats.money(form.cleaned_data["amount"]),
            "number": invoice.number,
            "status": invoice.get_status_display(),
        }
    return None


def add_payment(forms: StaffForms, data: Any, files: MultiValueDict, by: Actor) -> Done | None:
    form = forms.payment = PaymentForm(data, prefix="payment")
    message = register_payment(form, by)
    return None if message is None else Done(reverse(_STAFF), message)


def import_bank_file(forms: StaffForms, data: Any, files: MultiValueDict, by: Actor) -> Done | None:
    form = forms.bank = PaymentUploadForm(data, files, prefix="bank")
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    if upload.size > imports.BACKGROUND_IMPORT_BYTES:
        queued = actions.queue_import(PaymentImport, file=upload, by=by)
        return Done(reverse("invoice:staff_payment_import", kwargs={"payment_import_id": queued.pk}))
    try:
        batch = imports.run_payment_import(imports.Source.of(filename=upload.name, data=upload.read()), by=by)
    except imports.PaymentImportError as error:
        forms.bank_errors = error.messages[:ERRORS_SHOWN]
        return None
    return Done(
        reverse(_STAFF),
        _("Registered %(rows)s payments (%(total)s) from %(file)s.")
        % {"rows": batch.rows, "total": formats.money(batch.total), "file": batch.filename},
    )


def mark_overdue(forms: StaffForms, data: Any, files: MultiValueDict, by: Actor) -> Done | None:
    marked = actions.mark_overdue(by=by)
    return Done(reverse(_STAFF), _("%(count)s invoices were marked overdue.") % {"count": len(marked)})


# The posted ``action`` → its handler.
HANDLERS: dict[str, Handler] = {
    "billing": start_billing,
    "usage": import_usage,
    "credit": issue_credit_note,
    "payment": add_payment,
    "bank": import_bank_file,
    "overdue": mark_overdue,
}
