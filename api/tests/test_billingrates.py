"""TMF678 appliedCustomerBillingRate: an invoice's lines per user, as billed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.tests.factories import InvoiceFactory
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

RATES = "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate"
BILLS = "/tmf-api/customerBillManagement/v4/customerBill"


def test_it_lists_a_bills_lines_per_user(personas, api_a):
    invoice = InvoiceFactory(company=personas.company_a, period="2026-10", lines=2)
    InvoiceFactory(company=personas.company_a, period="2026-09")
    response = api_a.get(RATES, {"bill.id": invoice.pk})
    assert response.status_code == 200
    rates = response.json()
    assert response["X-Total-Count"] == "4"
    assert [(r["characteristic"][0]["value"], r["type"]) for r in rates] == [
        ("Bruger 00000", "recurring"),
        ("Bruger 00000", "usage"),
        ("Bruger 00001", "recurring"),
        ("Bruger 00001", "usage"),
    ]
    first = rates[0]
    assert first["@type"] == "AppliedCustomerBillingRate"
    assert first["name"] == "Mobil 30 GB"
    assert first["taxExcludedAmount"] == {"unit": "DKK", "value": 150.0}
    assert first["bill"]["id"] == str(invoice.pk)
    assert first["periodCoverage"] == {"startDateTime": "2026-10-01", "endDateTime": "2026-10-31"}
    assert api_a.get(first["href"]).json() == first
    assert api_a.get(RATES).headers["X-Total-Count"] == "6"


def test_it_filters_by_product_and_type(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    invoice.sections.filter(user_name="Bruger 00001").update(subscription=sub)
    rates = api_a.get(RATES, {"product.id": sub.pk, "type": "usage"}).json()
    assert [(r["product"]["id"], r["type"], r["characteristic"][0]["value"]) for r in rates] == [
        (str(sub.pk), "usage", "Bruger 00001")
    ]


def test_another_companys_lines_are_not_found(personas, api_a):
    theirs = InvoiceFactory(company=personas.company_b)
    line = theirs.lines.first()
    assert api_a.get(RATES, {"bill.id": theirs.pk}).json() == []
    assert api_a.get(f"{RATES}/{line.pk}").status_code == 404


def test_a_bill_links_its_documents_and_they_download(personas, api_a):
    invoice = InvoiceFactory(company=personas.company_a)
    bill = api_a.get(f"{BILLS}/{invoice.pk}").json()
    urls = {d["id"]: d["url"] for d in bill["billDocument"]}
    assert api_a.get(urls["pdf"])["Content-Type"] == "application/pdf"
    assert b"<Invoice" in api_a.get(urls["ubl"]).getvalue()


def test_a_bad_filter_answers_422_with_the_field(personas, api_a):
    response = api_a.get(RATES, {"bill.id": "abc"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "bill.id"


def test_the_list_costs_the_same_queries_at_any_size(personas, api_a):
    small = InvoiceFactory(company=personas.company_a, lines=2)
    big = InvoiceFactory(company=personas.company_a, lines=40)
    api_a.get(RATES)  # the client's first call of the day also records when it was last used
    counts = []
    for invoice in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert api_a.get(RATES, {"bill.id": invoice.pk, "limit": 100}).status_code == 200
        counts.append(len(queries))
    # The key, the count, the page.
    assert counts == [3, 3]
