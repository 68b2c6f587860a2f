"""The rules of a payment (shared by a single registration and a bank file) and the overdue run."""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import bulk_record
from audit.models import AuditEvent
from common import formats
from invoicing.models import Invoice, Payment

PAYABLE_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE)


def payment_problem(invoice: Invoice, *, amount: int, paid_on: dt.date, credited: bool, pending: int = 0) -> str:
    """Why a payment cannot be registered on an invoice ('' if it can). ``pending``: earlier rows of a file."""
    if invoice.is_credit_note:
        return _("payments cannot be registered on a credit note")
    if credited:
        return _("invoice %(number)s has been credited") % {"number": invoice.number}
    if invoice.status not in PAYABLE_STATUSES:
        if invoice.status == Invoice.Status.PAID:
            return _("invoice %(number)s is already paid in full") % {"number": invoice.number}
        return _("invoice %(number)s has not been issued") % {"number": invoice.number}
    if amount <= 0:
        return _("the amount must be more than 0")
    outstanding = invoice.outstanding - pending
    if amount > outstanding:
        return _(
            "%(amount)s is more than the %(outstanding)s outstanding on invoice %(number)s; "
            "overpayments are not registered"
        ) % {
            "amount": formats.money(amount),
            "outstanding": formats.money(max(outstanding, 0)),
            "number": invoice.number,
        }
    if paid_on > timezone.localdate():
        return _("the payment date %(date)s is in the future") % {"date": formats.date(paid_on)}
    return ""


def status_after_payment(invoice: Invoice) -> str:
    return Invoice.Status.PAID if invoice.paid_amount >= invoice.total else Invoice.Status.PARTIALLY_PAID


def payment_details(payment: Payment, invoice: Invoice) -> dict[str, object]:
    return {
        "invoice": invoice.number,
        "amount": payment.amount,
        "paid_on": payment.paid_on.isoformat(),
        "reference": payment.reference,
        "method": payment.method,
        "status": invoice.status,
        "outstanding": invoice.outstanding,
    }


# Overdue ---------------------------------------------------------------------------------


@transaction.atomic
def mark_overdue(*, by: Actor, today: dt.date | None = None) -> list[int]:
    """Marks issued and partially paid invoices whose due date has passed as overdue.

    Due dates already fall on Danish business days, so an invoice is overdue from the day
    after its due date. Idempotent: an invoice already overdue is not touched again, so each
    invoice gets one audit event when it becomes overdue. Returns the ids it marked.
    """
    today = today or timezone.localdate()
    credited = Invoice.objects.filter(credited_invoice=OuterRef("pk"))
    candidates = list(
        Invoice.objects.unscoped()
        .select_for_update()
        .filter(
            category=Invoice.Category.NORMAL,
            status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID],
            due_date__lt=today,
        )
        .exclude(Exists(credited))
        .order_by("pk")
        .values_list("pk", "company_id", "number", "due_date", "total", "paid_amount")
    )
    ids = [row[0] for row in candidates]
    for start in range(0, len(ids), 1000):
        Invoice.objects.unscoped().filter(pk__in=ids[start : start + 1000]).update(status=Invoice.Status.OVERDUE)
    user = by.user if by.user is not None and by.user.is_authenticated else None
    bulk_record(
        [
            AuditEvent(
                company_id=company_id,
                actor=user,
                actor_label=by.display,
                ip_address=by.ip_address,
                action="invoice.overdue",
                target_type=Invoice._meta.label_lower,
                target_id=str(pk),
                target_label=f"{Invoice.Category.NORMAL.label} {number}",
                details={"invoice": number, "due_date": due.isoformat(), "outstanding": total - paid},
            )
            for pk, company_id, number, due, total, paid in candidates
        ]
    )
    return ids
