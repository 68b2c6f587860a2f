"""OIOUBL 2.1 XML of an invoice or credit note (the Danish UBL profile NemHandel carries).

OIOUBL 2.1 documents are UBL 2.1 instances (``UBLVersionID`` 2.1, ``CustomizationID`` OIOUBL-2.1)
with Danish code lists: parties by GLN or ``DK:CVR``, VAT as tax scheme 63 "Moms", category
StandardRated, a tax total on every line, and an order reference and a buyer contact that are
mandatory ("n/a" when the customer set none, as OIOUBL allows for the order reference).

Validated in tests against the OASIS UBL 2.1 XSD and this profile's mandatory elements; the
OIOUBL schematron is not published on a package registry, so it is not run (see docs/invoicing.md).
"""

import uuid

from django.utils import translation
from lxml import etree

from invoicing.models import Invoice
from invoicing.money import VAT_RATE_PERCENT, vat_of
from invoicing.pdf import OPERATOR
from invoicing.ubl import NS, _kr, _line_groups, _sub, document_kind, period_dates

CUSTOMIZATION_ID = "OIOUBL-2.1"
PROFILE_ID = "Procurement-BilSim-1.0"
PROFILE_SCHEME = {"schemeAgencyID": "320", "schemeID": "urn:oioubl:id:profileid-1.6"}
UUID_NAMESPACE = uuid.UUID("6f2b1a3e-4d5c-4b7a-9e8f-0a1b2c3d4e5f")


def _endpoint(party: etree._Element, tag: str, *, ean: str, cvr: str) -> None:
    if ean:
        _sub(party, tag, ean, schemeAgencyID="9", schemeID="GLN")
    else:
        _sub(party, tag, f"DK{cvr}", schemeID="DK:CVR")


def _party(
    parent: etree._Element,
    tag: str,
    *,
    ean: str,
    cvr: str,
    name: str,
    street: str,
    city: str,
    postcode: str,
    contact: str | None = None,
) -> None:
    party = _sub(_sub(parent, tag), "cac:Party")
    _endpoint(party, "cbc:EndpointID", ean=ean, cvr=cvr)
    _sub(_sub(party, "cac:PartyIdentification"), "cbc:ID", f"DK{cvr}", schemeID="DK:CVR")
    _sub(_sub(party, "cac:PartyName"), "cbc:Name", name)
    address = _sub(party, "cac:PostalAddress")
    _sub(
        address,
        "cbc:AddressFormatCode",
        "StructuredLax",
        listAgencyID="320",
        listID="urn:oioubl:codelist:addressformatcode-1.1",
    )
    _sub(address, "cbc:StreetName", street or "-")
    _sub(address, "cbc:CityName", city or "-")
    _sub(address, "cbc:PostalZone", postcode or "-")
    _sub(_sub(address, "cac:Country"), "cbc:IdentificationCode", "DK")
    tax = _sub(party, "cac:PartyTaxScheme")
    _sub(tax, "cbc:CompanyID", f"DK{cvr}", schemeID="DK:SE")
    _tax_scheme(tax)
    legal = _sub(party, "cac:PartyLegalEntity")
    _sub(legal, "cbc:RegistrationName", name)
    _sub(legal, "cbc:CompanyID", f"DK{cvr}", schemeID="DK:CVR")
    if contact is not None:
        _sub(_sub(party, "cac:Contact"), "cbc:ID", contact)


def _tax_scheme(parent: etree._Element) -> None:
    scheme = _sub(parent, "cac:TaxScheme")
    _sub(scheme, "cbc:ID", "63", schemeAgencyID="320", schemeID="urn:oioubl:id:taxschemeid-1.5")
    _sub(scheme, "cbc:Name", "Moms")


def _tax_category(parent: etree._Element) -> None:
    category = _sub(parent, "cac:TaxCategory")
    _sub(category, "cbc:ID", "StandardRated", schemeAgencyID="320", schemeID="urn:oioubl:id:taxcategoryid-1.1")
    _sub(category, "cbc:Percent", str(VAT_RATE_PERCENT))
    _tax_scheme(category)


def _tax_total(parent: etree._Element, net: int, vat: int) -> None:
    total = _sub(parent, "cac:TaxTotal")
    _sub(total, "cbc:TaxAmount", _kr(vat), currencyID="DKK")
    subtotal = _sub(total, "cac:TaxSubtotal")
    _sub(subtotal, "cbc:TaxableAmount", _kr(net), currencyID="DKK")
    _sub(subtotal, "cbc:TaxAmount", _kr(vat), currencyID="DKK")
    _tax_category(subtotal)


def oioubl_xml(invoice: Invoice) -> bytes:
    with translation.override(invoice.language):
        return _oioubl_xml(invoice)


def _oioubl_xml(invoice: Invoice) -> bytes:
    company = invoice.company
    kind = document_kind(invoice)
    credit = kind == "CreditNote"
    sign = -1 if credit else 1
    root_ns = NS["cn"] if credit else NS["inv"]
    root = etree.Element(f"{{{root_ns}}}{kind}", nsmap={None: root_ns, "cac": NS["cac"], "cbc": NS["cbc"]})
    _sub(root, "cbc:UBLVersionID", "2.1")
    _sub(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _sub(root, "cbc:ProfileID", PROFILE_ID, **PROFILE_SCHEME)
    _sub(root, "cbc:ID", str(invoice.number))
    _sub(root, "cbc:CopyIndicator", "false")
    # Stable per document: the same invoice downloaded twice is recognisably the same document.
    _sub(root, "cbc:UUID", str(uuid.uuid5(UUID_NAMESPACE, f"{kind}:{invoice.number}")))
    _sub(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit:
        _sub(root, "cbc:InvoiceTypeCode", "380", listAgencyID="320", listID="urn:oioubl:codelist:invoicetypecode-1.2")
    if invoice.is_credit_note and invoice.reason:
        _sub(root, "cbc:Note", invoice.reason[:200])
    _sub(root, "cbc:DocumentCurrencyCode", "DKK")
    if invoice.accounting_cost:
        _sub(root, "cbc:AccountingCost", invoice.accounting_cost)
    first, last = period_dates(invoice)
    period = _sub(root, "cac:InvoicePeriod")
    _sub(period, "cbc:StartDate", first)
    _sub(period, "cbc:EndDate", last)
    if credit:
        _sub(_sub(root, "cac:DiscrepancyResponse"), "cbc:ReferenceID", str(invoice.number))
    order = _sub(root, "cac:OrderReference")
    _sub(order, "cbc:ID", invoice.order_reference or "n/a")
    credited = invoice.credited_invoice if invoice.is_credit_note and invoice.credited_invoice_id else None
    if credited is not None:
        reference = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _sub(reference, "cbc:ID", str(credited.number))
        _sub(reference, "cbc:IssueDate", credited.issue_date.isoformat())
    _party(
        root,
        "cac:AccountingSupplierParty",
        ean=OPERATOR["gln"],
        cvr=OPERATOR["cvr"],
        name=OPERATOR["name"],
        street=OPERATOR["street"],
        city=OPERATOR["city"],
        postcode=OPERATOR["postcode"],
    )
    _party(
        root,
        "cac:AccountingCustomerParty",
        ean=company.ean,
        cvr=company.cvr,
        name=company.name,
        street=company.street,
        city=company.city,
        postcode=company.postcode,
        contact=invoice.contact_reference or "n/a",
    )
    net, vat, total = sign * invoice.net, sign * invoice.vat, sign * invoice.total
    if not credit and total > 0:
        means = _sub(root, "cac:PaymentMeans")
        _sub(means, "cbc:ID", "1")
        _sub(means, "cbc:PaymentMeansCode", "42")
        _sub(means, "cbc:PaymentDueDate", invoice.due_date.isoformat())
        _sub(
            means,
            "cbc:PaymentChannelCode",
            "DK:BANK",
            listAgencyID="320",
            listID="urn:oioubl:codelist:paymentchannelcode-1.1",
        )
        _sub(means, "cbc:PaymentID", str(invoice.number))
        account = _sub(means, "cac:PayeeFinancialAccount")
        _sub(account, "cbc:ID", OPERATOR["account"])
        _sub(_sub(account, "cac:FinancialInstitutionBranch"), "cbc:ID", OPERATOR["reg"])
    _tax_total(root, net, vat)
    monetary = _sub(root, "cac:LegalMonetaryTotal")
    _sub(monetary, "cbc:LineExtensionAmount", _kr(net), currencyID="DKK")
    _sub(monetary, "cbc:TaxExclusiveAmount", _kr(vat), currencyID="DKK")  # OIOUBL: the VAT amount here
    _sub(monetary, "cbc:TaxInclusiveAmount", _kr(total), currencyID="DKK")
    _sub(monetary, "cbc:PayableAmount", _kr(total), currencyID="DKK")
    line_tag, qty_tag = (
        ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    )
    for number, (name, amount) in enumerate(_line_groups(invoice), start=1):
        amount *= sign
        element = _sub(root, line_tag)
        _sub(element, "cbc:ID", str(number))
        _sub(element, qty_tag, "-1" if amount < 0 else "1", unitCode="EA")
        _sub(element, "cbc:LineExtensionAmount", _kr(amount), currencyID="DKK")
        _tax_total(element, amount, vat_of(amount))
        item = _sub(element, "cac:Item")
        _sub(item, "cbc:Description", name)
        _sub(item, "cbc:Name", name[:40])
        _sub(_sub(item, "cac:SellersItemIdentification"), "cbc:ID", f"L{number}")
        price = _sub(element, "cac:Price")
        _sub(price, "cbc:PriceAmount", _kr(abs(amount)), currencyID="DKK")
        _sub(price, "cbc:BaseQuantity", "1", unitCode="EA")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
