import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoicing.billing import run_billing
from invoicing.models import Invoice
from invoicing.pdf import render_invoice_pdf
from invoicing.tasks import ensure_pdf
from invoicing.tests.factories import InvoiceFactory, ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def invoice(personas, system):
    company = personas.company_a
    company.ean = "5790001330583"
    company.invoice_language = "en"
    company.save()
    SubscriptionFactory(company=company, user_name="Mette Nielsen", phone_number="+4520123456",
                        product=ProductFactory(name="Mobile 30 GB", monthly_price=14900))
    SubscriptionFactory(company=company, user_name="Lars Poulsen", start_date=dt.date(2026, 11, 21))
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.objects.select_related("company").get(company=company)


def test_it_prints_number_customer_totals_and_a_users_lines(invoice):
    text = _text(render_invoice_pdf(invoice))

    assert f"Invoice number\n{invoice.number}" in text
    assert f"CVR number: {invoice.company.cvr}" in text
    assert "EAN number: 5790001330583" in text
    # 149,00 + 150,00 * 10/30 = 199,00 net; VAT 49,75; total 248,75
    assert invoice.total == 24875
    assert "Total incl. VAT\n248,75" in text
    assert "Mette Nielsen · 20 12 34 56" in text
    assert "Mobile 30 GB\n30 days\n149,00" in text


def test_it_speaks_the_companys_invoice_language(invoice):
    invoice.language = "da"
    text = _text(render_invoice_pdf(invoice))
    assert "Fakturanummer" in text and "I alt inkl. moms" in text


def test_it_renders_once_and_serves_from_storage(invoice, personas, login):
    stored = ensure_pdf(invoice)
    name = stored.pdf.name
    client = login(personas.admin_a)

    response = client.get(reverse("invoice:pdf", args=[invoice.pk]))
    again = client.get(reverse("invoice:pdf", args=[invoice.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == name
    assert again.status_code == 200


def test_a_1000_user_pdf_prints_every_user_on_numbered_pages():
    # Its speed is measured by invoicing/benchmarks/billing.py (a test must not time things).
    invoice = InvoiceFactory(lines=1000)
    reader = PdfReader(io.BytesIO(render_invoice_pdf(Invoice.objects.select_related("company").get(pk=invoice.pk))))
    pages = len(reader.pages)
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert pages > 1
    assert text.count(f" of {pages}") + text.count(f" af {pages}") >= pages
    assert invoice.sections.count() == 1000
    assert all(section.user_name in text for section in invoice.sections.all()[:1000:97])


@pytest.mark.parametrize("reason", ["Fejl & rettelse <b>", "</para><font size=40>x", "a < b > c"])
def test_the_credit_note_reason_is_printed_as_typed_not_as_markup(invoice, system, reason):
    from invoicing.actions import create_credit_note

    credit = create_credit_note(invoice=invoice, reason=reason, by=system)
    text = _text(render_invoice_pdf(Invoice.objects.select_related("company").get(pk=credit.pk)))
    assert reason in text
