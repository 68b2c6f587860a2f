"""OIOUBL 2.1 documents, the customer's references on e-invoices, and the download names."""

import datetime as dt
import importlib
from pathlib import Path

import peppol
import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from lxml import etree

from audit.models import AuditEvent
from invoicing.actions import add_charge, create_credit_note, update_einvoice_settings
from invoicing.billing import run_billing
from invoicing.models import EInvoiceSettings, Invoice
from invoicing.oioubl import CUSTOMIZATION_ID, oioubl_xml
from invoicing.tests.factories import InvoiceFactory, SubscriptionFactory
from invoicing.ubl import NS, invoice_xml

pytestmark = pytest.mark.django_db
SCHEMAS = Path(peppol.__file__).parent / "schema" / "maindoc"


@pytest.fixture(scope="module")
def schemas():
    return {
        name: etree.XMLSchema(etree.parse(str(SCHEMAS / f"UBL-{name}-2.1.xsd"))) for name in ("Invoice", "CreditNote")
    }


@pytest.fixture
def invoice(personas, system):
    sub = SubscriptionFactory(company=personas.company_a)
    add_charge(subscription=sub, description="Rabat", amount=-1500, on=dt.date(2026, 11, 2), by=system)
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.all_companies.select_related("company").get(company=personas.company_a)


def _valid(schemas, content):
    root = etree.fromstring(content)
    schema = schemas[etree.QName(root).localname]
    assert schema.validate(root), schema.error_log
    return root


def test_an_oioubl_invoice_and_credit_note_validate_against_ubl_21(invoice, schemas, system):
    root = _valid(schemas, oioubl_xml(invoice))
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == CUSTOMIZATION_ID
    assert root.find("cbc:ProfileID", NS).get("schemeID") == "urn:oioubl:id:profileid-1.6"
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.text, endpoint.get("schemeID")) == (f"DK{invoice.company.cvr}", "DK:CVR")
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "n/a"
    assert root.findtext("cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ID", namespaces=NS) == "n/a"
    assert root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", NS).text == "StandardRated"
    assert all(line.find("cac:TaxTotal", NS) is not None for line in root.findall("cac:InvoiceLine", NS))
    assert min(float(q) for q in root.xpath("//cbc:InvoicedQuantity/text()", namespaces=NS)) < 0
    assert min(float(p) for p in root.xpath("//cbc:PriceAmount/text()", namespaces=NS)) >= 0

    credit = create_credit_note(invoice=invoice, reason="Fejl", by=system)
    credit_root = _valid(schemas, oioubl_xml(Invoice.all_companies.select_related("company").get(pk=credit.pk)))
    assert credit_root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == str(
        invoice.number
    )


def test_a_company_with_ean_is_addressed_by_gln(invoice, schemas):
    invoice.company.ean = "5790001330583"
    invoice.company.save()
    root = _valid(schemas, oioubl_xml(invoice))
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.text, endpoint.get("schemeID")) == ("5790001330583", "GLN")


def _set_references(company, system, *, order, contact, cost):
    update_einvoice_settings(
        company=company,
        order_reference=order,
        contact_reference=contact,
        accounting_cost=cost,
        channel="none",
        by=system,
    )


def _references(content):
    """(order number, contact, cost centre) in a Peppol or OIOUBL document."""
    root = etree.fromstring(content)
    contact = root.findtext("cbc:BuyerReference", namespaces=NS) or root.findtext(
        "cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ID", namespaces=NS
    )
    return (
        root.findtext("cac:OrderReference/cbc:ID", namespaces=NS),
        contact,
        root.findtext("cbc:AccountingCost", namespaces=NS),
    )


def test_the_customers_references_go_into_both_formats(personas, schemas, system):
    _set_references(personas.company_a, system, order="PO-4711", contact="Mette Holm", cost="CC-300")
    SubscriptionFactory(company=personas.company_a)
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.all_companies.select_related("company").get(company=personas.company_a)

    peppol_root = etree.fromstring(invoice_xml(invoice))
    assert peppol_root.findtext("cbc:BuyerReference", namespaces=NS) == "Mette Holm"
    assert peppol_root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "PO-4711"
    assert peppol_root.findtext("cbc:AccountingCost", namespaces=NS) == "CC-300"
    oio = _valid(schemas, oioubl_xml(invoice))
    assert oio.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "PO-4711"
    assert oio.findtext("cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ID", namespaces=NS) == "Mette Holm"
    assert oio.findtext("cbc:AccountingCost", namespaces=NS) == "CC-300"
    assert AuditEvent.all_companies.filter(action="invoice.einvoice_settings_changed").count() == 1


def test_an_issued_invoice_keeps_the_references_it_was_issued_with(personas, schemas, system):
    company = personas.company_a
    _set_references(company, system, order="PO-OLD", contact="Old Person", cost="CC-OLD")
    SubscriptionFactory(company=company)
    run_billing("2026-10", by=system, issue_date=dt.date(2026, 11, 1))
    old = Invoice.all_companies.select_related("company").get(company=company, period="2026-10")
    old_before = (invoice_xml(old), oioubl_xml(old))

    _set_references(company, system, order="PO-NEW", contact="New Person", cost="CC-NEW")
    credit = create_credit_note(invoice=old, reason="Fejl", by=system)
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    _set_references(company, system, order="", contact="", cost="")

    old = Invoice.all_companies.select_related("company").get(pk=old.pk)
    assert (invoice_xml(old), oioubl_xml(old)) == old_before
    assert _references(invoice_xml(old)) == ("PO-OLD", "Old Person", "CC-OLD")
    assert _references(oioubl_xml(old)) == ("PO-OLD", "Old Person", "CC-OLD")
    _valid(schemas, oioubl_xml(old))
    new = Invoice.all_companies.select_related("company").get(company=company, period="2026-11")
    credit = Invoice.all_companies.select_related("company", "credited_invoice").get(pk=credit.pk)
    for document in (new, credit):
        assert _references(invoice_xml(document)) == ("PO-NEW", "New Person", "CC-NEW")
        assert _references(oioubl_xml(document)) == ("PO-NEW", "New Person", "CC-NEW")


def test_the_references_are_stored_on_the_invoice_at_issue(personas, system):
    _set_references(personas.company_a, system, order="PO-1", contact="Bogholderiet", cost="4410")
    SubscriptionFactory(company=personas.company_a)
    SubscriptionFactory(company=personas.company_b)  # set no references
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))

    stored = dict(Invoice.all_companies.values_list("company_id", "order_reference").order_by())
    invoice = Invoice.all_companies.get(company=personas.company_a)
    assert (invoice.order_reference, invoice.contact_reference, invoice.accounting_cost) == (
        "PO-1",
        "Bogholderiet",
        "4410",
    )
    assert stored[personas.company_b.pk] == ""


def test_the_migration_gives_earlier_invoices_the_current_references(personas):
    migration = importlib.import_module("invoicing.migrations.0009_invoice_einvoice_references")
    earlier = InvoiceFactory(company=personas.company_a)
    untouched = InvoiceFactory(company=personas.company_b)
    EInvoiceSettings.objects.create(company=personas.company_a, order_reference="PO-9", accounting_cost="CC-9")

    migration.fill_from_current_references(django_apps, None)

    earlier = Invoice.all_companies.get(pk=earlier.pk)
    assert (earlier.order_reference, earlier.contact_reference, earlier.accounting_cost) == ("PO-9", "", "CC-9")
    assert Invoice.all_companies.filter(pk=untouched.pk, order_reference="", accounting_cost="").exists()


def test_the_admin_sets_references_on_the_einvoice_page(invoice, personas, login):
    client = login(personas.admin_a)
    page = client.get(reverse("invoice:einvoice"))
    assert b'data-testid="einvoice-settings"' in page.content
    response = client.post(
        reverse("invoice:einvoice_references"),
        {"order_reference": "PO-1", "contact_reference": "Bogholderiet", "accounting_cost": "", "channel": "none"},
    )
    assert response.status_code == 302
    assert EInvoiceSettings.of(personas.company_a).contact_reference == "Bogholderiet"


def test_a_read_only_admin_cannot_change_references(invoice, personas, login):
    response = login(personas.readonly_a).post(
        reverse("invoice:einvoice_references"),
        {"order_reference": "PO-1", "contact_reference": "", "accounting_cost": "", "channel": "none"},
    )
    assert response.status_code == 403
    assert EInvoiceSettings.all_companies.count() == 0


def test_downloads_are_named_by_document_kind(invoice, personas, login, system):
    client = login(personas.admin_a)
    assert 'filename="invoice-' in client.get(reverse("invoice:oioubl", args=[invoice.pk]))["Content-Disposition"]
    credit = create_credit_note(invoice=invoice, reason="Fejl", by=system)
    for name in ("ubl", "oioubl", "pdf"):
        disposition = client.get(reverse(f"invoice:{name}", args=[credit.pk]))["Content-Disposition"]
        assert f"credit-note-{credit.number}" in disposition
