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
    SubscriptionFactory(
        company=company,
        user_name="Mette Nielsen",
        phone_number="+4520123456",
        product=ProductFactory(name="Mobile 30 GB", monthly_price=14900),
    )
    SubscriptionFactory(company=company, user_name="Lars Poulsen", start_date=dt.date(2026, 11, 21))
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.all_companies.select_related("company").get(company=company)


def test_it_prints_number_customer_totals_and_a_users_lines(invoice):
    text = _text(render_invoice_pdf(invoice))

    assert f"Invoice number\n{invoice.number}" in text
    assert f"CVR number: {invoice.company.cvr}" in text
    assert "EAN number: 5790001330583" in text
    # 149.00 + 150.00 * 10/30 = 199.00 net; VAT 49.75; total 248.75 (English invoice)
    assert invoice.total == 24875
    assert "Total incl. VAT\n248.75" in text
    assert "Mette Nielsen · 20 12 34 56" in text
    assert "Mobile 30 GB\n30 days\n149.00" in text


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
    assert Invoice.all_companies.get(pk=invoice.pk).pdf.name == name
    assert again.status_code == 200


def test_a_1000_user_pdf_prints_every_user_on_numbered_pages():
    # Its speed is measured by invoicing/benchmarks/billing.py (a test must not time things).
    invoice = InvoiceFactory(lines=1000)
    reader = PdfReader(
        io.BytesIO(render_invoice_pdf(Invoice.all_companies.select_related("company").get(pk=invoice.pk)))
    )
    pages = len(reader.pages)
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert pages > 1
    assert text.count(f" of {pages}") + text.count(f" af {pages}") >= pages
    assert invoice.sections.count() == 1000
    assert all(section.user_name in text for section in invoice.sections.all()[:1000:97])


def test_a_credit_note_says_credit_note_and_has_no_due_date(invoice, system):
    from invoicing.actions import create_credit_note

    credit = create_credit_note(invoice=invoice, reason="Wrong price", by=system)
    text = _text(
        render_invoice_pdf(Invoice.all_companies.select_related("company", "credited_invoice").get(pk=credit.pk))
    )
    assert f"Credit note number\n{credit.number}" in text
    assert "Invoice number" not in text and "Due date" not in text and "+71<" not in text
    assert f"Credits invoice\n{invoice.number}" in text


@pytest.mark.parametrize(("language", "label"), [("en", "Page {n} of {total}"), ("da", "Side {n} af {total}")])
def test_every_page_says_page_n_of_the_total(language, label):
    invoice = InvoiceFactory(lines=200)
    invoice.language = language
    reader = PdfReader(io.BytesIO(render_invoice_pdf(invoice)))
    total = len(reader.pages)
    assert total > 2
    for number, page in enumerate(reader.pages, start=1):
        assert label.format(n=number, total=total) in page.extract_text()


def test_it_prints_an_fi_payment_line_and_one_bank_account(invoice):
    from stdnum import iban, luhn

    from invoicing.money import fi_payment_id
    from invoicing.pdf import OPERATOR

    text = _text(render_invoice_pdf(invoice))
    payment_id = fi_payment_id(invoice.number)
    assert f"+71<{payment_id}+{OPERATOR['fi_creditor']}<" in text
    assert len(payment_id) == 15 and luhn.is_valid(payment_id)
    # The reg./account number and the IBAN are one account: DK + check + reg (4) + account (10).
    assert iban.is_valid(OPERATOR["iban"])
    assert OPERATOR["iban"][4:] == OPERATOR["reg"] + OPERATOR["account"]
    assert f"Reg. {OPERATOR['reg']} konto {OPERATOR['account']}" in text.replace("\n", " ")


@pytest.mark.parametrize("reason", ["Fejl & rettelse <b>", "</para><font size=40>x", "a < b > c"])
def test_the_credit_note_reason_is_printed_as_typed_not_as_markup(invoice, system, reason):
    from invoicing.actions import create_credit_note

    credit = create_credit_note(invoice=invoice, reason=reason, by=system)
    text = _text(render_invoice_pdf(Invoice.all_companies.select_related("company").get(pk=credit.pk)))
    assert reason in text


def test_the_specification_prints_names_with_pdf_special_characters():
    # The cells' text operators are cached (invoicing.pdf._Cells): escaping must survive it.
    invoice = InvoiceFactory(lines=3)
    invoice.sections.filter(user_name="Bruger 00001").update(user_name="Søren (IT) \\ Åberg")
    text = _text(render_invoice_pdf(Invoice.all_companies.select_related("company").get(pk=invoice.pk)))
    assert "Søren (IT) \\ Åberg · 30 10 00 01" in text
    assert "Total for Søren (IT) \\ Åberg" in text or "I alt for Søren (IT) \\ Åberg" in text
    assert text.count("Mobil 30 GB") == 3
