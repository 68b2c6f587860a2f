import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from invoicing.billing import run_billing
from invoicing.models import EInvoiceDelivery, Invoice
from invoicing.tests.factories import EInvoiceRecipientFactory, SubscriptionFactory
from outbox.models import OutboxMessage
from outbox.sender import send_due

pytestmark = pytest.mark.django_db


def _issue_with_rejected_address(personas, system, django_capture_on_commit_callbacks) -> Invoice:
    EInvoiceRecipientFactory(company=personas.company_a, email="gone@alfa.dk", confirmed_at=timezone.now())
    SubscriptionFactory(company=personas.company_a)
    with django_capture_on_commit_callbacks(execute=True):
        run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.all_companies.get(company=personas.company_a)


def test_a_permanent_failure_marks_the_delivery_failed_at_once(
    personas, system, rejecting_smtp, django_capture_on_commit_callbacks
):
    _issue_with_rejected_address(personas, system, django_capture_on_commit_callbacks)
    delivery = EInvoiceDelivery.all_companies.select_related("outbox_message").get()
    assert (delivery.status, delivery.attempts) == (EInvoiceDelivery.Status.FAILED, 1)
    assert delivery.outbox_message.permanent and "550" in delivery.last_error


def test_the_customer_admin_sees_the_failure_and_resends(
    personas, login, system, rejecting_smtp, settings, django_capture_on_commit_callbacks
):
    invoice = _issue_with_rejected_address(personas, system, django_capture_on_commit_callbacks)
    delivery = EInvoiceDelivery.all_companies.get()
    client = login(personas.admin_a)
    assert 'data-testid="einvoice-failed"' in client.get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="einvoice-resend"' in client.get(reverse("invoice:einvoice")).content.decode()

    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    response = client.post(reverse("invoice:einvoice_delivery_resend", args=[delivery.pk]), {"next": "invoice"})
    assert response.status_code == 302 and response["Location"] == reverse("invoice:detail", args=[invoice.pk])
    delivery.refresh_from_db()
    assert delivery.status == EInvoiceDelivery.Status.PENDING
    assert AuditEvent.all_companies.filter(action="invoice.einvoice_resent", company=personas.company_a).exists()

    send_due()
    delivery.refresh_from_db()
    assert delivery.status == EInvoiceDelivery.Status.SENT
    assert [m.to for m in mail.outbox] == [["gone@alfa.dk"]]
    assert mail.outbox[0].extra_headers["Message-ID"] == OutboxMessage.objects.get().message_id


def test_another_company_cannot_resend(personas, login, system, rejecting_smtp, django_capture_on_commit_callbacks):
    _issue_with_rejected_address(personas, system, django_capture_on_commit_callbacks)
    delivery = EInvoiceDelivery.all_companies.get()
    response = login(personas.outsider).post(reverse("invoice:einvoice_delivery_resend", args=[delivery.pk]))
    assert response.status_code == 404
    assert EInvoiceDelivery.all_companies.get().status == EInvoiceDelivery.Status.FAILED


def test_read_only_admins_cannot_resend(personas, login, system, rejecting_smtp, django_capture_on_commit_callbacks):
    invoice = _issue_with_rejected_address(personas, system, django_capture_on_commit_callbacks)
    delivery = EInvoiceDelivery.all_companies.get()
    client = login(personas.readonly_a)
    assert (
        'data-testid="einvoice-resend"' not in client.get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    )
    assert client.post(reverse("invoice:einvoice_delivery_resend", args=[delivery.pk])).status_code == 403


def test_a_delivery_that_did_not_fail_is_not_resent(personas, login, system, django_capture_on_commit_callbacks):
    invoice = _issue_with_rejected_address(personas, system, django_capture_on_commit_callbacks)
    delivery = EInvoiceDelivery.all_companies.get()
    assert delivery.status == EInvoiceDelivery.Status.SENT
    login(personas.admin_a).post(reverse("invoice:einvoice_delivery_resend", args=[delivery.pk]))
    assert not AuditEvent.all_companies.filter(action="invoice.einvoice_resent").exists()
    assert OutboxMessage.objects.get().status == "sent" and invoice.pk
