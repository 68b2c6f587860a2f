import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from invoicing.billing import run_billing
from invoicing.models import EInvoiceDelivery, EInvoiceRecipient, Invoice
from invoicing.tasks import process_issued_invoice, send_einvoice
from invoicing.tests.factories import EInvoiceRecipientFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("invoice:einvoice")


def _confirm_path(message) -> str:
    return re.search(r"http://testserver(\S+)", message.body).group(1)


def test_it_signs_up_addresses_and_sends_each_a_confirmation_link(personas, login, django_capture_on_commit_callbacks):
    client = login(personas.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"addresses": "Bogholderi@Alfa.dk, chef@alfa.dk\nbogholderi@alfa.dk"})

    assert response.status_code == 302
    assert sorted(EInvoiceRecipient.all_companies.values_list("email", flat=True)) == [
        "bogholderi@alfa.dk",
        "chef@alfa.dk",
    ]
    assert not EInvoiceRecipient.all_companies.filter(confirmed_at__isnull=False).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["bogholderi@alfa.dk", "chef@alfa.dk"]
    assert AuditEvent.all_companies.filter(action="invoice.einvoice_added").count() == 1


def test_it_confirms_an_address_by_its_signed_link(personas, login, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.admin_a).post(URL, {"addresses": "bogholderi@alfa.dk"})
    path = _confirm_path(mail.outbox[0])

    shown = client.get(path)
    assert shown.status_code == 200 and not EInvoiceRecipient.all_companies.get().is_confirmed
    confirmed = client.post(path)

    assert confirmed.status_code == 200
    assert EInvoiceRecipient.all_companies.get().is_confirmed


def test_it_refuses_a_tampered_link(client):
    response = client.get(reverse("invoice:einvoice:confirm", args=["not-a-token"]))
    assert response.status_code == 404


def test_it_rejects_bad_addresses_and_changes_nothing(personas, login):
    response = login(personas.admin_a).post(URL, {"addresses": "bogholderi@alfa.dk, not-an-address"})

    assert response.status_code == 200
    assert "not-an-address" in response.content.decode()
    assert EInvoiceRecipient.all_companies.count() == 0


def test_it_removes_an_address_and_opts_out(personas, login):
    keep, remove = EInvoiceRecipientFactory.create_batch(2, company=personas.company_a)
    client = login(personas.admin_a)

    client.post(reverse("invoice:einvoice_remove", args=[remove.pk]))
    assert list(EInvoiceRecipient.all_companies.all()) == [keep]
    client.post(reverse("invoice:einvoice_opt_out"))
    assert EInvoiceRecipient.all_companies.count() == 0


def test_it_shows_read_only_admins_no_buttons_and_refuses_their_changes(personas, login):
    recipient = EInvoiceRecipientFactory(company=personas.company_a)
    client = login(personas.readonly_a)

    page = client.get(URL).content.decode()
    assert "einvoice-submit" not in page and "Remove" not in page
    assert client.post(URL, {"addresses": "x@alfa.dk"}).status_code == 403
    assert client.post(reverse("invoice:einvoice_remove", args=[recipient.pk])).status_code == 403
    assert EInvoiceRecipient.all_companies.count() == 1


def test_it_lets_invoice_only_admins_use_just_this_area(personas, login):
    client = login(personas.invoice_only_a)
    assert client.get(URL).status_code == 200
    assert client.get(reverse("subscriptions:index")).status_code == 403


def _issue(company, system) -> Invoice:
    SubscriptionFactory(company=company)
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.all_companies.get(company=company)


def test_it_emails_the_pdf_to_confirmed_addresses_once(personas, system, django_capture_on_commit_callbacks):
    EInvoiceRecipientFactory(company=personas.company_a, email="ok@alfa.dk", confirmed_at=timezone.now())
    EInvoiceRecipientFactory(company=personas.company_a, email="waiting@alfa.dk")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(personas.company_a, system)

    assert [m.to for m in mail.outbox] == [["ok@alfa.dk"]]
    attachment = mail.outbox[0].attachments[0]
    assert attachment.filename == f"invoice-{invoice.number}.pdf" and attachment.content.startswith(b"%PDF")
    delivery = EInvoiceDelivery.all_companies.get()
    assert (delivery.status, delivery.attempts) == (EInvoiceDelivery.Status.SENT, 1)

    process_issued_invoice.call(invoice.pk)
    send_einvoice.call(delivery.pk)
    assert len(mail.outbox) == 1


def test_it_records_a_failing_mail_server_and_retries_until_sent(
    personas, system, failing_smtp, settings, django_capture_on_commit_callbacks
):
    EInvoiceRecipientFactory(company=personas.company_a, email="ok@alfa.dk", confirmed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _issue(personas.company_a, system)

    delivery = EInvoiceDelivery.all_companies.get()
    assert (delivery.status, delivery.attempts) == (EInvoiceDelivery.Status.PENDING, 1)
    assert "SMTP server unavailable" in delivery.last_error

    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    call_command("retry_einvoices")
    call_command("retry_einvoices")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (EInvoiceDelivery.Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_it_keeps_an_einvoice_waiting_through_a_long_outage_and_fails_only_after_the_retry_window(
    personas, system, failing_smtp, settings, django_capture_on_commit_callbacks
):
    from outbox.sender import send_due

    EInvoiceRecipientFactory(company=personas.company_a, email="ok@alfa.dk", confirmed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _issue(personas.company_a, system)
    start = timezone.now()
    for hours in (1, 6, 24, 48, 71):
        send_due(now=start + dt.timedelta(hours=hours))
        assert EInvoiceDelivery.all_companies.get().status == EInvoiceDelivery.Status.PENDING
    send_due(now=start + dt.timedelta(hours=settings.OUTBOX_RETRY_HOURS, minutes=1))
    delivery = EInvoiceDelivery.all_companies.get()
    assert (delivery.status, delivery.attempts) == (EInvoiceDelivery.Status.FAILED, 7)


def test_it_shows_the_delivery_log(personas, login, system, django_capture_on_commit_callbacks):
    EInvoiceRecipientFactory(company=personas.company_a, email="ok@alfa.dk", confirmed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(personas.company_a, system)

    page = login(personas.admin_a).get(URL).content.decode()
    assert str(invoice.number) in page and "ok@alfa.dk" in page and "Sent" in page
    assert "ok@alfa.dk" not in login(personas.outsider).get(URL).content.decode()


def test_the_confirmation_task_tolerates_a_recipient_removed_meanwhile(db):
    from django.core import mail

    from invoicing.tasks import send_einvoice_confirmation

    send_einvoice_confirmation.call(987654, "https://example.invalid/confirm/", "da")
    assert mail.outbox == []
