"""In the browser: open an invoice, its details, download the PDF, sign up for eInvoice."""

import datetime as dt

import pytest
from django.core import mail

from accounts.tests.factories import PASSWORD
from invoicing.billing import run_billing
from invoicing.models import EInvoiceRecipient, Invoice
from invoicing.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_walks_an_admin_through_invoices_details_pdf_and_einvoice(personas, live_server, page, system):
    SubscriptionFactory(company=personas.company_a, user_name="Mette Nielsen", phone_number="+4520123456")
    SubscriptionFactory(company=personas.company_a, user_name="Lars Poulsen", phone_number="+4520654321")
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.all_companies.get(company=personas.company_a)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", personas.admin_a.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.goto(f"{live_server.url}/invoices/")

    page.get_by_test_id("invoice-details").first.click()
    assert str(invoice.number) in page.get_by_test_id("invoice-title").inner_text()
    assert page.get_by_test_id("user-row").count() == 2
    page.fill("#user-search", "Mette")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=Mette**")
    assert page.get_by_test_id("user-row").count() == 1

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{invoice.number}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.goto(f"{live_server.url}/invoices/")
    page.get_by_test_id("einvoice-link").click()
    page.fill("textarea[name=addresses]", "bogholderi@alfa.dk")
    page.get_by_test_id("einvoice-submit").click()
    assert "bogholderi@alfa.dk" in page.get_by_test_id("recipients").inner_text()

    link = next(line for line in mail.outbox[-1].body.splitlines() if line.startswith("http"))
    page.goto(link)
    page.get_by_test_id("einvoice-confirm").click()
    page.get_by_test_id("einvoice-confirmed").wait_for()
    assert EInvoiceRecipient.all_companies.get().is_confirmed
