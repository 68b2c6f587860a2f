"""Every UBL document the portal makes passes the official EN 16931 and Peppol BIS 3 rules.

The rules are the compiled Schematron in invoicing/standards/peppol, run with Saxon (saxonche, or
Debian's libsaxonhe-java through Java; .ci/run installs the latter). Zero fatal errors, zero warnings.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import peppol
import pytest
from django.utils import timezone
from lxml import etree

from invoicing import einvoice_rules
from invoicing.actions import add_charge, create_credit_note, update_einvoice_settings
from invoicing.billing import run_billing
from invoicing.models import Invoice, UsageRecord
from invoicing.tests.factories import AddOnFactory, InvoiceFactory, OneOffFeeFactory, SubscriptionFactory
from invoicing.ubl import NS, invoice_xml

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        einvoice_rules.runtime() is None,
        reason="no XSLT 2.0 runtime: pip install saxonche or apt-get install libsaxonhe-java",
    ),
]
SCHEMAS = Path(peppol.__file__).parent / "schema" / "maindoc"
PERIOD, ISSUE = "2026-11", dt.date(2026, 12, 1)


def _usage(sub, day, usage_type, quantity, charge):
    time = dt.datetime.combine(dt.date(2026, 11, day), dt.time(12), tzinfo=timezone.get_default_timezone())
    UsageRecord.objects.create(
        company=sub.company, subscription=sub, type=usage_type, time=time, quantity=Decimal(quantity), charge=charge
    )


def _bill(company):
    run_billing(PERIOD, by=einvoice_rules_actor(), issue_date=ISSUE)
    return Invoice.all_companies.select_related("company").get(company=company, category="normal")


def einvoice_rules_actor():
    from audit.actor import Actor

    return Actor.system("test")


def _cases(personas) -> dict[str, Invoice]:
    """Realistic invoices, one company each, and a credit note of each."""
    actor = einvoice_rules_actor()
    cases: dict[str, Invoice] = {}

    ean = personas.company_a
    ean.ean = "5790001330583"
    ean.save()
    update_einvoice_settings(
        company=ean,
        order_reference="PO-4711",
        contact_reference="Mette Holm",
        accounting_cost="CC-300",
        channel="peppol",
        by=actor,
    )
    full = SubscriptionFactory(company=ean, user_name="Mette & Co <test>")
    full.add_ons.add(AddOnFactory(monthly_price=4900))
    SubscriptionFactory(company=ean, start_date=dt.date(2026, 11, 21))  # pro rata
    _usage(full, 3, UsageRecord.Type.ROAMING, 30, 4500)
    _usage(full, 9, UsageRecord.Type.VOICE, 12, 1234)
    _usage(full, 15, UsageRecord.Type.DATA, 2048, 0)  # included: a zero line
    add_charge(subscription=full, fee=OneOffFeeFactory(), on=dt.date(2026, 11, 5), by=actor)

    cvr_only = personas.company_b  # no EAN: addressed by CVR (0184)
    sub = SubscriptionFactory(company=cvr_only)
    add_charge(subscription=sub, description="Rabat: kampagne", amount=-1500, on=dt.date(2026, 11, 2), by=actor)
    # A correction larger than the month's fees: the invoice as a whole is negative.
    credit_heavy = SubscriptionFactory().company
    add_charge(
        subscription=SubscriptionFactory(company=credit_heavy),
        description="Korrektion oktober",
        amount=-40000,
        on=dt.date(2026, 11, 2),
        by=actor,
    )

    run_billing(PERIOD, by=actor, issue_date=ISSUE)
    for name, company in (("ean", ean), ("cvr-discount", cvr_only), ("negative-total", credit_heavy)):
        invoice = Invoice.all_companies.select_related("company").get(company=company, category="normal")
        cases[name] = invoice
        credit = create_credit_note(invoice=invoice, reason="Forkert pris", by=actor)
        cases[f"{name}-credit-note"] = Invoice.all_companies.select_related("company", "credited_invoice").get(
            pk=credit.pk
        )
    empty = InvoiceFactory(lines=0, net=0, vat=0, total=0, subscriptions_net=0, company=SubscriptionFactory().company)
    cases["no-lines"] = Invoice.all_companies.select_related("company").get(pk=empty.pk)
    return cases


@pytest.fixture
def documents(personas) -> dict[str, bytes]:
    return {name: invoice_xml(invoice) for name, invoice in _cases(personas).items()}


def test_every_document_passes_the_official_rules_and_the_ubl_schema(documents):
    results = einvoice_rules.validate_many(documents)

    failures = [f"{name}: {failure}" for name, found in results.items() for failure in found]
    assert not failures, "\n".join(failures)
    schemas = {
        "Invoice": etree.XMLSchema(etree.parse(str(SCHEMAS / "UBL-Invoice-2.1.xsd"))),
        "CreditNote": etree.XMLSchema(etree.parse(str(SCHEMAS / "UBL-CreditNote-2.1.xsd"))),
    }
    for name, content in documents.items():
        root = etree.fromstring(content)
        schema = schemas[etree.QName(root).localname]
        assert schema.validate(root), (name, schema.error_log)


# Rules the generator once broke, and the case that broke it (issue 13): each must stay fixed.
FIXED_RULES = {
    "BR-27": ["cvr-discount", "negative-total", "cvr-discount-credit-note"],  # negative item price
    "PEPPOL-COMMON-R040": ["cvr-discount"],  # a CVR sent as a GLN (scheme 0088)
    "PEPPOL-EN16931-R008": ["cvr-discount"],  # an empty EndpointID without an EAN
    "DK-R-016": ["negative-total-credit-note"],  # a Danish credit note with a negative total
    "BR-16": ["no-lines"],  # a document without lines
    "BR-S-01": ["no-lines"],  # VAT breakdown without a standard-rated line
    "BR-S-08": ["no-lines"],
    "PEPPOL-EN16931-P0112": ["negative-total-credit-note"],  # type 384 outside Germany
}


def test_each_rule_once_broken_stays_fixed(documents):
    results = einvoice_rules.validate_many({name: documents[name] for names in FIXED_RULES.values() for name in names})
    broken = {
        (rule, name)
        for rule, names in FIXED_RULES.items()
        for name in names
        if rule in {failure.rule for failure in results[name]}
    }
    assert broken == set()


def test_the_cases_cover_what_the_rules_are_strict_about(documents):
    kinds = {name: etree.QName(etree.fromstring(content)).localname for name, content in documents.items()}
    assert sorted(set(kinds.values())) == ["CreditNote", "Invoice"]
    discount = etree.fromstring(documents["cvr-discount"])
    endpoint = discount.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert endpoint.get("schemeID") == "0184"
    quantities = [Decimal(q) for q in discount.xpath("//cbc:InvoicedQuantity/text()", namespaces=NS)]
    assert min(quantities) < 0  # the discount: negative quantity, positive price (BR-27)
    prices = [
        Decimal(p)
        for doc in documents.values()
        for p in etree.fromstring(doc).xpath("//cac:Price/cbc:PriceAmount/text()", namespaces=NS)
    ]
    assert min(prices) >= 0


def test_the_validator_passes_openpeppol_examples_and_catches_a_negative_price():
    examples = {path.name: path.read_bytes() for path in (einvoice_rules.STANDARDS / "examples").glob("*.xml")}
    broken = examples["base-example.xml"].replace(
        b'<cbc:PriceAmount currencyID="EUR">', b'<cbc:PriceAmount currencyID="EUR">-', 1
    )
    assert broken != examples["base-example.xml"]
    results = einvoice_rules.validate_many({**examples, "broken": broken})

    assert all(results[name] == [] for name in examples)
    assert "BR-27" in {failure.rule for failure in results["broken"]}
