"""TMF678 Customer Bill Management: the company's invoices and credit notes as ``customerBill``,
with their PDF, Peppol BIS 3 (UBL) and OIOUBL documents."""

import calendar
import datetime
from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from api import schemas, tmf
from api.auth import APIKey, company_of
from api.errors import ApiError
from invoicing import selectors
from invoicing.models import Invoice
from invoicing.money import VAT_RATE_PERCENT
from invoicing.oioubl import oioubl_xml
from invoicing.tasks import ensure_pdf
from invoicing.ubl import invoice_xml
from registry.scoping import get_for_company

router = Router(auth=APIKey("invoice"), tags=["TMF678 Customer Bill"])
PATH = "/tmf-api/customerBillManagement/v4/customerBill/"

# TMF678 v4 states; an overdue bill is still "sent" (isOverdue says so).
STATE_TO_TMF: dict[str, str] = {
    Invoice.Status.NEW: "new",
    Invoice.Status.ISSUED: "sent",
    Invoice.Status.OVERDUE: "sent",
    Invoice.Status.PARTIALLY_PAID: "partiallyPaid",
    Invoice.Status.PAID: "settled",
}
STATE_FROM_TMF: dict[str, list[str]] = {}
for _ours, _theirs in STATE_TO_TMF.items():
    STATE_FROM_TMF.setdefault(_theirs, []).append(_ours)
SORTS: dict[str, tuple[str, ...]] = {
    "-billDate": ("-period", "-number"),
    "billDate": ("period", "number"),
    "-billNo": ("-number",),
    "billNo": ("number",),
}
FIELDS = (
    "billNo",
    "category",
    "state",
    "isOverdue",
    "billDate",
    "paymentDueDate",
    "billingPeriod",
    "amountDue",
    "remainingAmount",
    "taxExcludedAmount",
    "taxIncludedAmount",
    "taxItem",
    "billDocument",
    "relatedParty",
)
DOCUMENT_RESPONSE = {"200": {"description": "The document", "content": {"application/pdf": {}}}}
XML_RESPONSE = {"200": {"description": "The document", "content": {"application/xml": {}}}}


def _period(period: str) -> dict[str, str]:
    year, month = (int(part) for part in period.split("-"))
    last = calendar.monthrange(year, month)[1]
    return {
        "startDateTime": datetime.date(year, month, 1).isoformat(),
        "endDateTime": datetime.date(year, month, last).isoformat(),
    }


def render(request: HttpRequest, invoice: Invoice) -> dict[str, Any]:
    link = tmf.href(request, f"{PATH}{invoice.pk}")
    documents = [
        {"id": "pdf", "name": f"{invoice.file_name}.pdf", "mimeType": "application/pdf", "url": f"{link}/pdf"},
        {"id": "ubl", "name": f"{invoice.file_name}.xml", "mimeType": "application/xml", "url": f"{link}/ubl"},
        {
            "id": "oioubl",
            "name": f"{invoice.file_name}-oioubl.xml",
            "mimeType": "application/xml",
            "url": f"{link}/oioubl",
        },
    ]
    return {
        "id": str(invoice.pk),
        "href": link,
        "@type": "CustomerBill",
        "billNo": str(invoice.number),
        "category": "creditNote" if invoice.is_credit_note else "normal",
        "state": STATE_TO_TMF.get(invoice.status, invoice.status),
        "isOverdue": invoice.is_overdue,
        "billDate": tmf.iso(invoice.issue_date),
        "paymentDueDate": tmf.iso(invoice.due_date),
        "billingPeriod": _period(invoice.period),
        "amountDue": tmf.money(invoice.total),
        "remainingAmount": tmf.money(invoice.outstanding),
        "taxExcludedAmount": tmf.money(invoice.net),
        "taxIncludedAmount": tmf.money(invoice.total),
        "taxItem": [{"taxCategory": "VAT", "taxRate": VAT_RATE_PERCENT / 100, "taxAmount": tmf.money(invoice.vat)}],
        "billDocument": [{**d, "@type": "Attachment"} for d in documents],
        "relatedParty": [{"id": str(invoice.company_id), "role": "customer", "@referredType": "Organization"}],
    }


def _one(request: HttpRequest, bill_id: int) -> Invoice:
    company = company_of(request)
    return get_for_company(
        selectors.with_credited(Invoice.objects.for_company(company).select_related("company", "credited_invoice")),
        company,
        pk=bill_id,
    )


@router.get(
    "/customerBill",
    response=schemas.responses({200: list[schemas.CustomerBill]}),
    by_alias=True,
    summary="List invoices and credit notes",
    operation_id="listCustomerBill",
)
def list_bills(
    request: HttpRequest,
    state: Literal["new", "sent", "partiallyPaid", "settled"] | None = None,
    year: int | None = Query(None, ge=2000, le=2100, description="Billing periods of this year"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
    sort: Literal["-billDate", "billDate", "-billNo", "billNo"] | None = None,
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
) -> HttpResponse:
    order = tmf.ordering(sort, SORTS, "-billDate")
    wanted = tmf.projection(fields, FIELDS)
    qs = selectors.invoices(company=company_of(request), year=year)
    if state is not None:
        if state not in STATE_FROM_TMF:
            raise ApiError(
                422, "Unknown state.", errors=[{"field": "state", "message": f"one of {', '.join(STATE_FROM_TMF)}"}]
            )
        qs = qs.filter(status__in=STATE_FROM_TMF[state])
    qs = qs.order_by(*order)

    def page(rows: Sequence[Invoice]) -> list[dict[str, Any]]:
        return [render(request, invoice) for invoice in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=wanted)


@router.get(
    "/customerBill/{bill_id}",
    response=schemas.responses({200: schemas.CustomerBill}, 404),
    by_alias=True,
    summary="Read one invoice or credit note",
    operation_id="retrieveCustomerBill",
)
def get_bill(
    request: HttpRequest,
    bill_id: int,
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
) -> HttpResponse:
    wanted = tmf.projection(fields, FIELDS)
    return JsonResponse(tmf.project(render(request, _one(request, bill_id)), wanted))


@router.get(
    "/customerBill/{bill_id}/pdf",
    response=schemas.responses({}, 404),
    summary="The invoice as PDF",
    operation_id="retrieveCustomerBillPdf",
    openapi_extra={"responses": DOCUMENT_RESPONSE},
)
def bill_pdf(request: HttpRequest, bill_id: int) -> FileResponse:
    invoice = ensure_pdf(_one(request, bill_id))
    return FileResponse(
        invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.file_name}.pdf", content_type="application/pdf"
    )


def _xml(request: HttpRequest, bill_id: int, serialise: Callable[[Invoice], bytes], suffix: str) -> HttpResponse:
    invoice = _one(request, bill_id)
    response = HttpResponse(serialise(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.file_name}{suffix}.xml"'
    return response


@router.get(
    "/customerBill/{bill_id}/ubl",
    response=schemas.responses({}, 404),
    summary="The invoice as Peppol BIS 3 (UBL 2.1) XML",
    operation_id="retrieveCustomerBillUbl",
    openapi_extra={"responses": XML_RESPONSE},
)
def bill_ubl(request: HttpRequest, bill_id: int) -> HttpResponse:
    return _xml(request, bill_id, invoice_xml, "")


@router.get(
    "/customerBill/{bill_id}/oioubl",
    response=schemas.responses({}, 404),
    summary="The invoice as OIOUBL 2.1 XML",
    operation_id="retrieveCustomerBillOioubl",
    openapi_extra={"responses": XML_RESPONSE},
)
def bill_oioubl(request: HttpRequest, bill_id: int) -> HttpResponse:
    return _xml(request, bill_id, oioubl_xml, "-oioubl")
