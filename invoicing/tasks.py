"""Background work after an invoice is issued: the PDF, one e-mail per confirmed address, and the
XML to the company's access point when it chose electronic delivery (``invoicing.access_point``)."""

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoicing.events import InvoiceIssued
from invoicing.models import EInvoiceDelivery, EInvoiceRecipient, EInvoiceSettings, Invoice
from jobs.queue import enqueue

if TYPE_CHECKING:
    from invoicing.access_point import Envelope
    from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


def ensure_pdf(invoice: Invoice) -> Invoice:
    """Renders and stores the PDF once; later calls serve the stored file."""
    if invoice.pdf:
        return invoice
    from invoicing.pdf import render_invoice_pdf

    with transaction.atomic():
        locked = (
            Invoice.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("company", "credited_invoice")
            .get(pk=invoice.pk)
        )
        if not locked.pdf:
            locked.pdf.save(f"{locked.file_name}.pdf", ContentFile(render_invoice_pdf(locked)), save=False)
            locked.save(update_fields=["pdf"])
    return locked


def queue_documents(event: InvoiceIssued) -> None:
    """An issued invoice's PDF and eInvoice, queued in the transaction that issued it (subscribed in ready())."""
    enqueue(process_issued_invoice, event.invoice_id)


@task
def process_issued_invoice(invoice_id: int) -> None:
    """The PDF, then one delivery (and its send task) per confirmed address. Safe to run again.

    A stored PDF is kept; deliveries that exist already were queued with them (same transaction), so a
    re-run (e.g. after the worker died) only adds and queues what is missing.
    """
    invoice = ensure_pdf(Invoice.objects.unscoped().select_related("company").get(pk=invoice_id))
    with transaction.atomic():
        # Serialises two runs of this task (a reclaimed one and a slow original).
        Invoice.objects.unscoped().select_for_update().filter(pk=invoice.pk).first()
        addresses = set(
            EInvoiceRecipient.objects.for_company(invoice.company)
            .filter(confirmed_at__isnull=False)
            .values_list("email", flat=True)
        )
        existing = set(EInvoiceDelivery.objects.unscoped().filter(invoice=invoice).values_list("email", flat=True))
        for email in sorted(addresses - existing):
            delivery = EInvoiceDelivery.objects.create(company=invoice.company, invoice=invoice, email=email)
            enqueue(send_einvoice, delivery.pk)
        # The access point: one row without an address per invoice, in the channel the company chose.
        channel = EInvoiceSettings.of(invoice.company).channel
        if channel != EInvoiceSettings.Channel.NONE and "" not in existing:
            delivery = EInvoiceDelivery.objects.create(
                company=invoice.company, invoice=invoice, channel=channel, email=""
            )
            enqueue(deliver_to_access_point, delivery.pk)


# Access-point deliveries retry on their own (e-mail goes through the outbox): back-off 2, 4, 8, 16 minutes.
MAX_ATTEMPTS = 5


def _retry_later(delivery: EInvoiceDelivery) -> None:
    if not default_task_backend.supports_defer:
        return  # `manage.py retry_einvoices` picks it up
    delay = dt.timedelta(minutes=2**delivery.attempts)
    deliver_to_access_point.using(run_after=timezone.now() + delay).enqueue(delivery.pk)


def _envelope(delivery: EInvoiceDelivery) -> "Envelope":
    from invoicing.access_point import Envelope
    from invoicing.oioubl import oioubl_xml
    from invoicing.ubl import endpoint, invoice_xml

    invoice = delivery.invoice
    make = oioubl_xml if delivery.channel == EInvoiceDelivery.Channel.OIOUBL else invoice_xml
    receiver, scheme = endpoint(ean=invoice.company.ean, cvr=invoice.company.cvr)
    return Envelope(
        document=make(invoice),
        document_format=delivery.channel,
        receiver=receiver,
        scheme=scheme,
        number=invoice.number,
        key=f"selfservice-delivery-{delivery.pk}",
    )


@task
def deliver_to_access_point(delivery_id: int) -> None:
    """Hands one invoice's XML to the access point, at most once (the row is locked while sending)."""
    from invoicing.access_point import REJECTED, AccessPointError, get_access_point

    retry = None
    with transaction.atomic():
        delivery = (
            EInvoiceDelivery.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("invoice", "invoice__company", "invoice__credited_invoice")
            .get(pk=delivery_id)
        )
        if delivery.status != EInvoiceDelivery.Status.PENDING or delivery.attempts >= MAX_ATTEMPTS:
            return
        delivery.attempts += 1
        try:
            receipt = get_access_point().send(_envelope(delivery))
        except AccessPointError as error:
            delivery.last_error = f"{error}"[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = EInvoiceDelivery.Status.FAILED
            else:
                retry = delivery
        else:
            delivery.message_id = receipt.message_id
            delivery.status = (
                receipt.status if receipt.status in EInvoiceDelivery.Status.values else (EInvoiceDelivery.Status.SENT)
            )
            delivery.receiver_reason = receipt.reason if receipt.status == REJECTED else ""
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_error", "status", "sent_at", "message_id", "receiver_reason"])
    if retry is not None:
        _retry_later(retry)


@task
def refresh_access_point_status(delivery_id: int) -> str:
    """Asks the access point whether the receiver took a sent document (acknowledged or rejected)."""
    from invoicing.access_point import REJECTED, AccessPointError, get_access_point

    with transaction.atomic():
        delivery = EInvoiceDelivery.objects.unscoped().select_for_update().get(pk=delivery_id)
        if delivery.status != EInvoiceDelivery.Status.SENT or not delivery.message_id:
            return delivery.status
        try:
            receipt = get_access_point().status(delivery.message_id)
        except AccessPointError as error:
            delivery.last_error = f"{error}"[:300]
            delivery.save(update_fields=["last_error"])
            return delivery.status
        if receipt.status in (EInvoiceDelivery.Status.ACKNOWLEDGED, EInvoiceDelivery.Status.REJECTED):
            delivery.status = receipt.status
            delivery.receiver_reason = receipt.reason if receipt.status == REJECTED else ""
            delivery.save(update_fields=["status", "receiver_reason"])
    return delivery.status


@task
def send_einvoice(delivery_id: int) -> None:
    """Puts one invoice for one address in the outbox, once (safe to run twice).

    The delivery row is locked and linked to its outbox message in one transaction, so a second
    run finds the link and queues nothing; the outbox sends it (retrying for OUTBOX_RETRY_HOURS)
    and the delivery's status follows the message (`follow_outbox_message`).
    """
    from outbox.queue import queue

    with transaction.atomic():
        delivery = (
            EInvoiceDelivery.objects.unscoped()
            .select_for_update()
            .select_related("invoice", "invoice__company")
            .get(pk=delivery_id)
        )
        if delivery.outbox_message_id is not None or delivery.status == EInvoiceDelivery.Status.SENT:
            return
        invoice = ensure_pdf(delivery.invoice)
        delivery.outbox_message = queue(_message(invoice, delivery.email), kind="einvoice", about=delivery)
        delivery.save(update_fields=["outbox_message"])


def follow_outbox_message(sender: object, message: "OutboxMessage", **kwargs: object) -> None:
    """The eInvoice delivery shows what happened to its e-mail (sent, retrying, failed, resent)."""
    if message.kind != "einvoice":
        return
    status = {
        "sent": EInvoiceDelivery.Status.SENT,
        "failed": EInvoiceDelivery.Status.FAILED,
    }.get(str(message.status), EInvoiceDelivery.Status.PENDING)
    EInvoiceDelivery.objects.unscoped().filter(outbox_message=message).update(
        status=status,
        attempts=min(message.attempts, 32767),
        last_error=message.last_error[:300],
        sent_at=message.sent_at if status == EInvoiceDelivery.Status.SENT else None,
    )


def _message(invoice: Invoice, email: str) -> EmailMessage:
    with translation.override(invoice.language):
        context = {"invoice": invoice, "company": invoice.company}
        subject = (
            _("Credit note %(number)s from Self-service")
            if invoice.is_credit_note
            else _("Invoice %(number)s from Self-service")
        ) % {"number": invoice.number}
        body = render_to_string("invoicing/email/invoice.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email])
    invoice.pdf.open("rb")
    try:
        message.attach(f"{invoice.file_name}.pdf", invoice.pdf.read(), "application/pdf")
    finally:
        invoice.pdf.close()
    return message


@task
def send_einvoice_confirmation(recipient_id: int, confirm_url: str, language: str) -> None:
    recipient = EInvoiceRecipient.objects.unscoped().select_related("company").filter(pk=recipient_id).first()
    if recipient is None:
        # Removed between the request and this task: nobody to ask any more, and not an error to retry.
        logger.info("eInvoice recipient %s was removed before its confirmation was sent", recipient_id)
        return
    with translation.override(language):
        subject = _("Confirm that %(email)s should receive invoices") % {"email": recipient.email}
        body = render_to_string("invoicing/email/confirm.txt", {"recipient": recipient, "url": confirm_url})
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email]).send()


@task
def run_billing_task(period: str, user_id: int | None) -> dict[str, int]:
    from accounts.models import User
    from audit.actor import Actor
    from invoicing.billing import run_billing

    user = User.objects.filter(pk=user_id).first() if user_id else None
    result = run_billing(period, by=Actor(user=user, label="billing run"))
    return {"created": len(result.created), "skipped": result.skipped}


@task
def mark_overdue_task() -> int:
    """The daily overdue run as a task (e.g. enqueued by a scheduler); returns how many were marked."""
    from audit.actor import Actor
    from invoicing.payments import mark_overdue

    return len(mark_overdue(by=Actor.system("overdue run")))


@task
def import_file_task(kind: str, import_id: int, user_id: int | None) -> str:
    """A staff upload imported in the background: all or nothing, progress on the import row.

    Safe to run again (a reclaimed task): an import that finished is left alone; one that was
    cut off rolled back and starts over.
    """
    from accounts.models import User
    from audit.actor import Actor
    from invoicing import imports
    from invoicing.models import FileImport, PaymentImport, UsageImport

    model: type[FileImport] = UsageImport if kind == "usage" else PaymentImport
    upload = model._default_manager.filter(pk=import_id).first()
    if upload is None or upload.is_finished:
        return upload.status if upload is not None else "missing"
    upload.status = FileImport.Status.RUNNING
    upload.rows_done = 0
    upload.save(update_fields=["status", "rows_done"])
    user = User.objects.filter(pk=user_id).first() if user_id else None
    by = Actor(user=user, label=upload.imported_by or "staff upload")
    stored = upload.upload
    source = imports.Source(upload.filename, lambda: stored.open("rb"))
    try:
        if isinstance(upload, UsageImport):
            imports.run_usage_import(source, by=by, upload=upload)
        else:
            assert isinstance(upload, PaymentImport)
            imports.run_payment_import(source, by=by, upload=upload)
    except imports.UsageImportError as error:
        imports.fail(upload, error.messages)
    except Exception:
        imports.fail(
            upload,
            [
                _(
                    "The import stopped on an unexpected error; nothing was imported. "
                    "Staff can see the details in the worker's log."
                )
            ],
        )
        raise
    finally:
        if stored:
            stored.delete(save=False)
            model._default_manager.filter(pk=upload.pk).update(upload="")
    return upload.status
