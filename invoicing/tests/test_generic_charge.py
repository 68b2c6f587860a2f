"""A charge need not belong to a subscription (issue 11): any area can bill a generic line (hardware, a fee),
by ``add_charge(company=...)`` or by publishing ``subscriptions.events.ChargeDue``; it is billed in the
company's "Other charges" section and reads on the invoice page, the CSV, the PDF and the e-invoice."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoicing import einvoice_rules
from invoicing.actions import add_charge
from invoicing.billing import run_billing
from invoicing.models import Charge, Invoice, InvoiceLine
from invoicing.oioubl import oioubl_xml
from invoicing.pdf import render_invoice_pdf
from invoicing.tests.factories import ProductFactory, SubscriptionFactory
from invoicing.ubl import invoice_xml
from registry.events import publish
from subscriptions.events import ChargeDue

pytestmark = pytest.mark.django_db
PERIOD, ISSUE = "2026-11", dt.date(2026, 12, 1)


@pytest.fixture
def invoice(personas, system):
    company = personas.company_a
    company.invoice_language = "en"
    company.save()
    SubscriptionFactory(company=company, user_name="Mette Nielsen", product=ProductFactory(monthly_price=14900))
    add_charge(company=company, description="Headset Jabra Evolve2", amount=89900, on=dt.date(2026, 11, 12), by=system)
    run_billing(PERIOD, by=system, issue_date=ISSUE)
    return Invoice.objects.for_company(company).select_related("company").get(category="normal")


def test_it_bills_a_charge_without_a_subscription_in_the_companys_own_section(invoice):
    line = invoice.lines.get(kind=InvoiceLine.Kind.ONE_OFF)
    assert (line.description, line.quantity, line.amount) == ("Headset Jabra Evolve2", 1, 89900)
    assert (line.section.subscription_id, line.section.user_name) == (None, "Other charges")
    assert (invoice.one_off_net, invoice.net) == (89900, 14900 + 89900)
    assert Charge.objects.for_company(invoice.company).get().invoice == invoice
    # The users come first, the company's other charges after them.
    assert [s.user_name for s in invoice.sections.order_by("id")] == ["Mette Nielsen", "Other charges"]


def test_it_shows_on_the_invoice_page_the_csv_the_oioubl_and_the_pdf(invoice, personas, login):
    client = login(personas.admin_a)
    page = client.get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    assert "Headset Jabra Evolve2" in page and "899.00" in page  # English page: common.formats
    csv = b"".join(client.get(reverse("invoice:details_csv", args=[invoice.pk])).streaming_content).decode()
    assert "Headset Jabra Evolve2" in csv

    assert b">899.00<" in oioubl_xml(invoice)

    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_invoice_pdf(invoice))).pages)
    assert "Other charges" in pdf and "Headset Jabra Evolve2" in pdf and "899.00" in pdf  # an English invoice


@pytest.mark.skipif(einvoice_rules.runtime() is None, reason="no XSLT 2.0 runtime")
def test_its_e_invoice_passes_the_official_rules(invoice):
    failures = einvoice_rules.validate_many({"company-charge": invoice_xml(invoice)})["company-charge"]
    assert not failures, failures
    # The e-invoice sums each user's lines per kind; the company's section is one more "user".
    assert b"Other charges" in invoice_xml(invoice) and b">899.00<" in invoice_xml(invoice)


def test_any_area_can_bill_by_publishing_charge_due(personas, system):
    facts = publish(ChargeDue(company=personas.company_b, description="Porting fee", amount=25000, by=system))

    charge = Charge.objects.for_company(personas.company_b).get(pk=facts["charge"])
    assert (charge.company, charge.subscription, charge.description, charge.amount, charge.invoice) == (
        personas.company_b,
        None,
        "Porting fee",
        25000,
        None,
    )


def test_a_charge_for_another_companys_subscription_is_refused(personas, system):
    sub = SubscriptionFactory(company=personas.company_b)
    with pytest.raises(ValueError):
        add_charge(company=personas.company_a, subscription=sub, description="x", amount=100, by=system)
    assert not Charge.objects.for_company(personas.company_a).exists()
