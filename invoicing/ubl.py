"""Peppol BIS Billing 3.0 (UBL 2.1) XML of an invoice or credit note, for every company.

The buyer is addressed by its EAN (GLN, ``schemeID="0088"``) when it has one, else by its CVR
number (``0184``), as Peppol addresses Danish companies. Every document passes the official
EN 16931 and Peppol rules (``invoicing.einvoice_rules``; tests in test_einvoice_rules.py).
"""

import calendar
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from invoicing.models import Invoice, InvoiceLine
from invoicing.money import VAT_RATE_PERCENT
from invoicing.pdf import OPERATOR

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _kr(ore: int) -> str:
    return str((Decimal(ore) / 100).quantize(Decimal("0.01")))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    namespace, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[namespace]}}}{name}", attrib)
    if text is not None:
        element.text = text
    return element


def endpoint(*, ean: str, cvr: str) -> tuple[str, str]:
    """(identifier, Peppol scheme) a Danish company is reached at: EAN (0088), else CVR (0184)."""
    return (ean, "0088") if ean else (cvr, "0184")


def _party(
    parent: etree._Element, tag: str, *, ean: str, name: str, street: str, city: str, postcode: str, cvr: str
) -> None:
    party = _sub(_sub(parent, tag), "cac:Party")
    identifier, scheme = endpoint(ean=ean, cvr=cvr)
    _sub(party, "cbc:EndpointID", identifier, schemeID=scheme)
    _sub(_sub(party, "cac:PartyName"), "cbc:Name", name)
    address = _sub(party, "cac:PostalAddress")
    if street:
        _sub(address, "cbc:StreetName", street)
    if city:
        _sub(address, "cbc:CityName", city)
    if postcode:
        _sub(address, "cbc:PostalZone", postcode)
    _sub(_sub(address, "cac:Country"), "cbc:IdentificationCode", "DK")
    tax = _sub(party, "cac:PartyTaxScheme")
    _sub(tax, "cbc:CompanyID", f"DK{cvr}")
    _sub(_sub(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _sub(party, "cac:PartyLegalEntity")
    _sub(legal, "cbc:RegistrationName", name)
    _sub(legal, "cbc:CompanyID", cvr, schemeID="0184")


def _tax_category(parent: etree._Element, tag: str) -> None:
    category = _sub(parent, tag)
    _sub(category, "cbc:ID", "S")
    _sub(category, "cbc:Percent", str(VAT_RATE_PERCENT))
    _sub(_sub(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def period_dates(invoice: Invoice) -> tuple[str, str]:
    year, month = int(invoice.period[:4]), int(invoice.period[5:])
    return f"{invoice.period}-01", f"{invoice.period}-{calendar.monthrange(year, month)[1]:02d}"


def document_kind(invoice: Invoice) -> str:
    """ "Invoice" or "CreditNote": what the document is in UBL.

    A credit note states positive amounts; one of a negative invoice (a correction that owed the
    customer money) would be negative, which the Danish Peppol rules forbid (DK-R-016): it charges
    the customer, so it goes out as an invoice (380; 384 is for German parties only, PEPPOL-EN16931-P0112)
    that refers to the credited one.
    """
    return "CreditNote" if invoice.is_credit_note and invoice.total <= 0 else "Invoice"


def _line_groups(invoice: Invoice) -> list[tuple[str, int]]:
    """(name, net øre) per user, kind and sign: charges and discounts stay separate lines."""
    groups: list[tuple[str, int]] = []
    for section in invoice.sections.prefetch_related("lines"):
        per_kind: dict[tuple[str, bool], int] = {}
        for line in section.lines.all():
            key = (line.kind, line.amount < 0)
            per_kind[key] = per_kind.get(key, 0) + line.amount
        for (kind, _negative), amount in per_kind.items():
            label = str(InvoiceLine.Kind(kind).label)
            groups.append((f"{label}: {section.user_name} {section.phone_number}".strip()[:200], amount))
    if not groups:  # a document needs a line (BR-16) and a standard-rated one to carry the VAT (BR-S-01)
        groups.append((_("No charges in the period"), 0))
    return groups


def invoice_xml(invoice: Invoice) -> bytes:
    with translation.override(invoice.language):
        return _invoice_xml(invoice)


def _invoice_xml(invoice: Invoice) -> bytes:
    company = invoice.company
    kind = document_kind(invoice)
    credit = kind == "CreditNote"
    # Amounts are the customer's debt: positive on an invoice, negated on a credit note.
    sign = -1 if credit else 1
    root_ns = NS["cn"] if credit else NS["inv"]
    root = etree.Element(f"{{{root_ns}}}{kind}", nsmap={None: root_ns, "cac": NS["cac"], "cbc": NS["cbc"]})
    _sub(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _sub(root, "cbc:ProfileID", PROFILE_ID)
    _sub(root, "cbc:ID", str(invoice.number))
    _sub(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit:
        _sub(root, "cbc:DueDate", invoice.due_date.isoformat())
    _sub(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    if invoice.is_credit_note and invoice.reason:
        _sub(root, "cbc:Note", invoice.reason[:200])
    _sub(root, "cbc:DocumentCurrencyCode", "DKK")
    if invoice.accounting_cost:
        _sub(root, "cbc:AccountingCost", invoice.accounting_cost)
    # BT-10 routes the invoice inside the buyer: their own reference, else their EAN/CVR.
    _sub(root, "cbc:BuyerReference", invoice.contact_reference or company.ean or company.cvr)
    first, last = period_dates(invoice)
    period = _sub(root, "cac:InvoicePeriod")
    _sub(period, "cbc:StartDate", first)
    _sub(period, "cbc:EndDate", last)
    if invoice.order_reference:
        _sub(_sub(root, "cac:OrderReference"), "cbc:ID", invoice.order_reference)
    credited = invoice.credited_invoice if invoice.is_credit_note and invoice.credited_invoice_id else None
    if credited is not None:
        reference = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _sub(reference, "cbc:ID", str(credited.number))
        _sub(reference, "cbc:IssueDate", credited.issue_date.isoformat())
    _party(
        root,
        "cac:AccountingSupplierParty",
        ean=OPERATOR["gln"],
        name=OPERATOR["name"],
        street=OPERATOR["street"],
        city=OPERATOR["city"],
        postcode=OPERATOR["postcode"],
        cvr=OPERATOR["cvr"],
    )
    _party(
        root,
        "cac:AccountingCustomerParty",
        ean=company.ean,
        name=company.name,
        street=company.street,
        city=company.city,
        postcode=company.postcode,
        cvr=company.cvr,
    )
    net, vat, total = sign * invoice.net, sign * invoice.vat, sign * invoice.total
    if not credit and total > 0:
        means = _sub(root, "cac:PaymentMeans")
        _sub(means, "cbc:PaymentMeansCode", "58")
        _sub(means, "cbc:PaymentID", str(invoice.number))
        _sub(_sub(means, "cac:PayeeFinancialAccount"), "cbc:ID", OPERATOR["iban"])
    tax_total = _sub(root, "cac:TaxTotal")
    _sub(tax_total, "cbc:TaxAmount", _kr(vat), currencyID="DKK")
    subtotal = _sub(tax_total, "cac:TaxSubtotal")
    _sub(subtotal, "cbc:TaxableAmount", _kr(net), currencyID="DKK")
    _sub(subtotal, "cbc:TaxAmount", _kr(vat), currencyID="DKK")
    _tax_category(subtotal, "cac:TaxCategory")
    monetary = _sub(root, "cac:LegalMonetaryTotal")
    _sub(monetary, "cbc:LineExtensionAmount", _kr(net), currencyID="DKK")
    _sub(monetary, "cbc:TaxExclusiveAmount", _kr(net), currencyID="DKK")
    _sub(monetary, "cbc:TaxInclusiveAmount", _kr(total), currencyID="DKK")
    _sub(monetary, "cbc:PayableAmount", _kr(total), currencyID="DKK")
    # One line per user, kind and sign keeps a 10,000-user document readable for the buyer's system.
    line_tag, qty_tag = (
        ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    )
    for number, (name, amount) in enumerate(_line_groups(invoice), start=1):
        amount *= sign
        element = _sub(root, line_tag)
        _sub(element, "cbc:ID", str(number))
        # The net price may not be negative (BR-27): a discount is a negative quantity at its price.
        _sub(element, qty_tag, "-1" if amount < 0 else "1", unitCode="C62")
        _sub(element, "cbc:LineExtensionAmount", _kr(amount), currencyID="DKK")
        item = _sub(element, "cac:Item")
        _sub(item, "cbc:Name", name)
        _tax_category(item, "cac:ClassifiedTaxCategory")
        _sub(_sub(element, "cac:Price"), "cbc:PriceAmount", _kr(abs(amount)), currencyID="DKK")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
