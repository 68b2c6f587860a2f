"""TMF678 customerBill: invoices and credit notes, with their documents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import Invoice
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

BILLS = "/tmf-api/customerBillManagement/v4/customerBill"


def test_it_lists_only_the_companys_bills(personas, api_a):
    mine = InvoiceFactory(company=personas.company_a, period="2026-10")
    InvoiceFactory(company=personas.company_b)
    response = api_a.get(BILLS)
    assert response.status_code == 200
    assert [b["id"] for b in response.json()] == [str(mine.pk)]
    assert response["X-Total-Count"] == "1"


def test_it_shapes_a_bill_as_tmf678(personas, api_a):
    invoice = InvoiceFactory(
        company=personas.company_a, period="2026-10", paid_amount=5000, status=Invoice.Status.PARTIALLY_PAID
    )
    bill = api_a.get(f"{BILLS}/{invoice.pk}").json()
    assert bill["@type"] == "CustomerBill"
    assert bill["billNo"] == str(invoice.number)
    assert bill["state"] == "partiallyPaid"
    assert bill["billingPeriod"] == {"startDateTime": "2026-10-01", "endDateTime": "2026-10-31"}
    assert bill["taxExcludedAmount"] == {"unit": "DKK", "value": 150.0}
    assert bill["taxIncludedAmount"] == {"unit": "DKK", "value": 187.5}
    assert bill["remainingAmount"] == {"unit": "DKK", "value": 137.5}
    assert bill["taxItem"] == [{"taxCategory": "VAT", "taxRate": 0.25, "taxAmount": {"unit": "DKK", "value": 37.5}}]
    assert [d["id"] for d in bill["billDocument"]] == ["pdf", "ubl", "oioubl"]


def test_it_filters_by_state_and_year(personas, api_a):
    InvoiceFactory(company=personas.company_a, period="2025-05", status=Invoice.Status.PAID)
    open_bill = InvoiceFactory(company=personas.company_a, period="2026-05", status=Invoice.Status.OVERDUE)
    assert [b["id"] for b in api_a.get(BILLS, {"state": "sent"}).json()] == [str(open_bill.pk)]
    assert api_a.get(BILLS, {"state": "sent"}).json()[0]["isOverdue"] is True
    assert [b["id"] for b in api_a.get(BILLS, {"year": 2026}).json()] == [str(open_bill.pk)]
    assert api_a.get(BILLS, {"state": "overdue"}).status_code == 422


def test_the_list_costs_the_same_queries_for_2_and_20_bills(personas, api_a):
    for _ in range(2):
        InvoiceFactory(company=personas.company_a)
    api_a.get(BILLS)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api_a.get(BILLS, {"limit": 100}).status_code == 200
        return len(queries)

    small = count()
    for _ in range(18):
        InvoiceFactory(company=personas.company_a)
    assert count() == small


def test_it_serves_the_documents(personas, api_a):
    invoice = InvoiceFactory(company=personas.company_a)
    pdf = api_a.get(f"{BILLS}/{invoice.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    for kind in ("ubl", "oioubl"):
        xml = api_a.get(f"{BILLS}/{invoice.pk}/{kind}")
        assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
        assert str(invoice.number).encode() in xml.content


def test_another_companys_bill_answers_404(personas, api_a):
    theirs = InvoiceFactory(company=personas.company_b)
    for suffix in ("", "/pdf", "/ubl", "/oioubl"):
        assert api_a.get(f"{BILLS}/{theirs.pk}{suffix}").status_code == 404
