import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice, Payment
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
URL = reverse("invoice:staff")
DAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _form(number, amount="100,00", **extra):
    return {
        "action": "payment",
        "payment-number": number,
        "payment-amount": amount,
        "payment-paid_on": DAY,
        "payment-method": "bank_transfer",
        "payment-reference": "FIK 71 1",
        **extra,
    }


def test_staff_register_a_payment_and_see_it(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, total=18750)
    client = login(personas.staff)

    response = client.post(URL, _form(invoice.number, "1.00,00"))
    assert response.status_code == 200 and "Enter an amount in kroner" in response.content.decode()

    response = client.post(URL, _form(invoice.number, "100"), follow=True)

    page = response.content.decode()
    assert "Payment of DKK 100.00 registered on invoice" in page and "Partially paid" in page
    assert 'data-testid="staff-payments"' in page and "FIK 71 1" in page
    invoice.refresh_from_db()
    assert invoice.paid_amount == 10000 and invoice.status == Invoice.Status.PARTIALLY_PAID
    assert Payment.all_companies.get().created_by == personas.staff


def test_a_refused_payment_re_renders_the_form_with_the_reason(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, total=18750)
    client = login(personas.staff)

    over = client.post(URL, _form(invoice.number, "187,51"))
    unknown = client.post(URL, _form(1))
    future = client.post(
        URL, _form(invoice.number, **{"payment-paid_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    )

    assert over.status_code == 200 and "overpayments are not registered" in over.content.decode()
    assert unknown.status_code == 200 and "There is no invoice with this number" in unknown.content.decode()
    assert future.status_code == 200 and "cannot be in the future" in future.content.decode()
    assert not Payment.all_companies.exists()


def test_staff_import_a_bank_file(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, number=700001, total=18750)
    client = login(personas.staff)

    bad = SimpleUploadedFile("bank.csv", f"700001;187,50;{DAY};a\n700001;0,01;{DAY};b\n".encode())
    response = client.post(URL, {"action": "bank", "bank-file": bad})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="bank-errors"' in page and "Line 2:" in page
    assert not Payment.all_companies.exists()

    good = SimpleUploadedFile("bank.csv", f"\ufeff700001;187,50;{DAY};a\n".encode())
    response = client.post(URL, {"action": "bank", "bank-file": good}, follow=True)
    assert "Registered 1 payments (DKK 187.50) from bank.csv." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_staff_mark_overdue_now(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, due_date=dt.date(2020, 1, 2))
    response = login(personas.staff).post(URL, {"action": "overdue"}, follow=True)
    assert "1 invoices were marked overdue." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OVERDUE


def test_the_staff_invoice_page_registers_a_payment(personas, login):
    invoice = InvoiceFactory(company=personas.company_b, total=18750)
    url = reverse("invoice:staff_invoice", args=[invoice.pk])
    client = login(personas.staff)

    page = client.get(url).content.decode()
    assert "Beta A/S" in page and 'data-testid="payment-form"' in page

    response = client.post(
        url,
        {"payment-amount": "187,50", "payment-paid_on": DAY, "payment-method": "card", "payment-reference": ""},
        follow=True,
    )

    page = response.content.decode()
    assert 'data-testid="payment-row"' in page and "Card" in page
    assert 'data-testid="payment-form"' not in page  # nothing is outstanding any more
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert client.get(reverse("invoice:staff_invoice", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["admin_a", "readonly_a", "invoice_only_a", "outsider"])
def test_customers_cannot_register_payments(personas, login, who):
    invoice = InvoiceFactory(company=personas.company_a, total=18750)
    client = login(getattr(personas, who))

    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(invoice.number)).status_code == 404
    assert client.post(URL, {"action": "overdue"}).status_code == 404
    staff_invoice = reverse("invoice:staff_invoice", args=[invoice.pk])
    assert client.get(staff_invoice).status_code == 404
    assert (
        client.post(
            staff_invoice, {"payment-amount": "1", "payment-paid_on": DAY, "payment-method": "card"}
        ).status_code
        == 404
    )
    assert not Payment.all_companies.exists()


def test_visitors_are_sent_to_sign_in(client):
    for url in (URL, reverse("invoice:staff_invoice", args=[1])):
        response = client.post(url, {"action": "overdue"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_date_field_works_in_danish(personas, login):
    personas.staff.language = "da"
    personas.staff.save(update_fields=["language"])
    invoice = InvoiceFactory(company=personas.company_a, total=18750)
    client = login(personas.staff)

    page = client.get(URL).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page  # a date input needs ISO whatever the language

    response = client.post(URL, _form(invoice.number, "187,50"), follow=True)
    assert "Betaling på 187,50 kr. registreret" in response.content.decode()
