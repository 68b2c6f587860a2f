"""Peppol BIS Billing 3.0 (UBL 2.1) XML of an invoice or credit note.

Only for companies with an EAN (GLN) number: buyer and seller are addressed by
``EndpointID schemeID="0088"``.
"""

import calendar
from decimal import Decimal

from lxml import etree

from invoicing.models import Invoice, InvoiceLine
from invoicing.money import VAT_RATE_PERCENT
from invoicing.pdf import OPERATOR

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
OPERATOR_GLN = "5790000000005"
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


def _party(parent: etree._Element, tag: str, *, gln: str, name: str, street: str, city: str, postcode: str,
           cvr: str) -> None:
    party = _sub(_sub(parent, tag), "cac:Party")
    _sub(party, "cbc:EndpointID", gln, schemeID="0088")
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


def invoice_xml(invoice: Invoice) -> bytes:
    company = invoice.company
    credit = invoice.is_credit_note
    # A credit note states positive amounts; the document type says they are credited.
    sign = -1 if credit else 1
    root_ns = NS["cn"] if credit else NS["inv"]
    root = etree.Element(f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
                         nsmap={None: root_ns, "cac": NS["cac"], "cbc": NS["cbc"]})
    _sub(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _sub(root, "cbc:ProfileID", PROFILE_ID)
    _sub(root, "cbc:ID", str(invoice.number))
    _sub(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit:
        _sub(root, "cbc:DueDate", invoice.due_date.isoformat())
    _sub(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    _sub(root, "cbc:DocumentCurrencyCode", "DKK")
    _sub(root, "cbc:BuyerReference", company.ean or company.cvr)
    first = f"{invoice.period}-01"
    year, month = int(invoice.period[:4]), int(invoice.period[5:])
    period = _sub(root, "cac:InvoicePeriod")
    _sub(period, "cbc:StartDate", first)
    _sub(period, "cbc:EndDate", f"{invoice.period}-{calendar.monthrange(year, month)[1]:02d}")
    credited = invoice.credited_invoice if credit and invoice.credited_invoice_id else None
    if credited is not None:
        reference = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _sub(reference, "cbc:ID", str(credited.number))
    _party(root, "cac:AccountingSupplierParty", gln=OPERATOR_GLN, name=OPERATOR["name"], street="Telegade 1",
           city="København S", postcode="2300", cvr=OPERATOR["cvr"])
    _party(root, "cac:AccountingCustomerParty", gln=company.ean, name=company.name, street=company.street,
           city=company.city, postcode=company.postcode, cvr=company.cvr)
    if not credit:
        means = _sub(root, "cac:PaymentMeans")
        _sub(means, "cbc:PaymentMeansCode", "58")
        _sub(means, "cbc:PaymentID", str(invoice.number))
        _sub(_sub(means, "cac:PayeeFinancialAccount"), "cbc:ID", OPERATOR["iban"])
    net, vat, total = sign * invoice.net, sign * invoice.vat, sign * invoice.total
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
    # One line per user and kind keeps a 10,000-user document readable for the buyer's system.
    line_tag, qty_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else (
        "cac:InvoiceLine", "cbc:InvoicedQuantity")
    number = 0
    for section in invoice.sections.prefetch_related("lines"):
        per_kind: dict[str, int] = {}
        for line in section.lines.all():
            per_kind[line.kind] = per_kind.get(line.kind, 0) + line.amount
        for kind, amount in per_kind.items():
            number += 1
            element = _sub(root, line_tag)
            _sub(element, "cbc:ID", str(number))
            _sub(element, qty_tag, "1", unitCode="C62")
            _sub(element, "cbc:LineExtensionAmount", _kr(sign * amount), currencyID="DKK")
            item = _sub(element, "cac:Item")
            label = str(InvoiceLine.Kind(kind).label)
            _sub(item, "cbc:Name", f"{label}: {section.user_name} {section.phone_number}".strip()[:200])
            _tax_category(item, "cac:ClassifiedTaxCategory")
            _sub(_sub(element, "cac:Price"), "cbc:PriceAmount", _kr(sign * amount), currencyID="DKK")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
