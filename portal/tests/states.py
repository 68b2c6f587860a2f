"""Objects of every kind in every state, for the cross-company and fuzzing walkers.

The apps' ``URL_KWARGS`` factories make one object in its usual state (an active subscription,
a draft port request); pages of a closed subscription, a rejected port or a credit note take other
paths, so the walkers visit each route once per state here. ``make(company)`` returns
``{url_kwarg: [(state, value), ...]}`` with the same states, in the same order, for every company.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from invoicing.tests.factories import EInvoiceRecipientFactory, InvoiceFactory
from numbering.models import PortRequest
from numbering.tests.factories import PortRequestFactory
from subscriptions.models import BulkJob, Product, Subscription
from subscriptions.tests.factories import BulkJobFactory, ProductFactory, SubscriptionFactory
from tickets.models import Status as TicketStatus
from tickets.tests.factories import TicketFactory

EANS = ["5790000000005", "5790000000012"]
PAST = datetime.date(2025, 6, 30)
SOON = datetime.date.today() + datetime.timedelta(days=40)


def _subscriptions(company) -> list[tuple[str, int]]:
    S = Subscription.Status
    broadband = ProductFactory(code="states-broadband", kind=Product.Kind.BROADBAND, name="Broadband")
    landline = ProductFactory(code="states-landline", kind=Product.Kind.LANDLINE, name="Landline")
    made = [
        ("pending_active", SubscriptionFactory(company=company, status=S.PENDING_ACTIVE, start_date=SOON)),
        (
            "suspended",
            SubscriptionFactory(company=company, status=S.SUSPENDED, suspend_reason="lost", suspended_on=PAST),
        ),
        (
            "pending_terminate",
            SubscriptionFactory(company=company, status=S.PENDING_TERMINATE, end_date=SOON, cancel_reason="moving"),
        ),
        ("terminated", SubscriptionFactory(company=company, status=S.TERMINATED, end_date=PAST)),
        ("cancelled", SubscriptionFactory(company=company, status=S.CANCELLED, end_date=PAST)),
        ("esim", SubscriptionFactory(company=company, sim_type=Subscription.SimType.ESIM)),
        ("broadband", SubscriptionFactory(company=company, product=broadband)),
        ("landline", SubscriptionFactory(company=company, product=landline, phone_number="", iccid="")),
        (
            "scheduled_change",
            SubscriptionFactory(company=company, scheduled_product=broadband, scheduled_product_date=SOON),
        ),
    ]
    return [(state, sub.pk) for state, sub in made]


def _port_requests(company) -> list[tuple[str, int]]:
    uploaded = PortRequestFactory(
        company=company,
        status=PortRequest.Status.SUBMITTED,
        authorisation_method=PortRequest.Authorisation.UPLOAD,
        authorisation_filename="fuldmagt.pdf",
    )
    uploaded.authorisation_file.save("fuldmagt.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    made = [("uploaded", uploaded.pk)]
    for status in PortRequest.Status.values:
        extra = {"scheduled_at": timezone.now() + datetime.timedelta(days=9)} if status == "scheduled" else {}
        made.append((status, PortRequestFactory(company=company, status=status, status_reason="x", **extra).pk))
    return made


def _invoices(company) -> list[tuple[str, int]]:
    made = [(status, InvoiceFactory(company=company, status=status).pk) for status in ("new", "paid", "overdue")]
    original = InvoiceFactory(company=company)
    credit = InvoiceFactory(
        company=company,
        category="credit_note",
        credited_invoice=original,
        reason="Fejl",
        net=-15000,
        vat=-3750,
        total=-18750,
    )
    return [*made, ("credited", original.pk), ("credit_note", credit.pk)]


def make(company) -> dict[str, list[tuple[str, object]]]:
    if not company.ean:  # an EAN makes the invoices' UBL download exist
        company.ean = EANS[company.pk % len(EANS)]
        company.save(update_fields=["ean"])
    return {
        "subscription_id": _subscriptions(company),
        "port_id": _port_requests(company),
        "invoice_id": _invoices(company),
        "ticket_id": [
            (s, TicketFactory(company=company, status=s).pk)
            for s in (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED)
        ],
        "bulk_job_id": [
            (s, BulkJobFactory(company=company, status=s, total=1, subscription_ids=[]).pk)
            for s in BulkJob.Status.values
        ],
        "recipient_id": [("confirmed", EInvoiceRecipientFactory(company=company, confirmed_at=timezone.now()).pk)],
    }
