import datetime as dt
from decimal import Decimal
from pathlib import Path

import peppol
import pytest
from django.urls import reverse
from lxml import etree

from invoicing.actions import create_credit_note
from invoicing.billing import run_billing
from invoicing.models import Invoice
from invoicing.tests.factories import SubscriptionFactory
from invoicing.ubl import CUSTOMIZATION_ID, NS, invoice_xml

pytestmark = pytest.mark.django_db
SCHEMAS = Path(peppol.__file__).parent / "schema" / "maindoc"


@pytest.fixture(scope="module")
def invoice_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "UBL-Invoice-2.1.xsd")))


@pytest.fixture(scope="module")
def credit_note_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "UBL-CreditNote-2.1.xsd")))


@pytest.fixture
def invoice(personas, system):
    company = personas.company_a
    company.ean = "5790001330583"
    company.save()
    SubscriptionFactory(company=company, user_name="Mette & Co <test>")
    SubscriptionFactory(company=company, start_date=dt.date(2026, 11, 21))
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.all_companies.select_related("company").get(company=company)


def test_it_validates_against_the_ubl_21_invoice_schema(invoice, invoice_schema):
    document = etree.fromstring(invoice_xml(invoice))
    assert invoice_schema.validate(document), invoice_schema.error_log


def test_it_carries_the_peppol_bis_3_essentials(invoice):
    document = etree.fromstring(invoice_xml(invoice))
    text = lambda path: document.findtext(path, namespaces=NS)  # noqa: E731

    assert text("cbc:CustomizationID") == CUSTOMIZATION_ID
    assert text("cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text("cbc:ID") == str(invoice.number)
    assert text("cbc:BuyerReference")
    endpoint = document.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.text, endpoint.get("schemeID")) == ("5790001330583", "0088")
    assert len(document.findall("cac:TaxTotal", NS)) == 1
    assert len(document.findall("cac:TaxTotal/cac:TaxSubtotal", NS)) == 1
    assert text("cac:TaxTotal/cbc:TaxAmount") == f"{invoice.vat / 100:.2f}"
    assert text("cac:LegalMonetaryTotal/cbc:PayableAmount") == f"{invoice.total / 100:.2f}"
    lines = document.findall("cac:InvoiceLine", NS)
    amounts = [Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS)) for line in lines]
    assert sum(amounts) * 100 == invoice.net


def test_it_validates_a_credit_note(invoice, credit_note_schema, system):
    credit = create_credit_note(invoice=invoice, reason="Wrong", by=system)
    document = etree.fromstring(invoice_xml(Invoice.all_companies.select_related("company").get(pk=credit.pk)))
    assert credit_note_schema.validate(document), credit_note_schema.error_log
    assert document.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == str(
        invoice.number
    )


def test_it_downloads_the_xml(invoice, personas, login):
    response = login(personas.admin_a).get(reverse("invoice:ubl", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"


def test_a_company_without_ean_gets_xml_addressed_by_its_cvr(invoice, personas, login):
    personas.company_a.ean = ""
    personas.company_a.save()
    response = login(personas.admin_a).get(reverse("invoice:ubl", args=[invoice.pk]))
    assert response.status_code == 200
    endpoint = etree.fromstring(response.content).find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.text, endpoint.get("schemeID")) == (personas.company_a.cvr, "0184")
