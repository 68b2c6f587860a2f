"""TMF678 ``appliedCustomerBillingRate``: an invoice's lines, per user (subscription), as billed.

One rate is one invoice line; the user (the invoice's section) is its ``product`` and characteristics.
Amounts are ``Money`` in DKK excl. VAT (the VAT is the bill's, 25 %). The lines are the invoice's,
so they are read through the company's invoices: another company's lines are never found.
"""

from collections.abc import Sequence
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from api import schemas, tmf
from api.auth import APIKey, company_of
from api.bills import PATH as BILL_PATH
from api.bills import _period as period
from api.errors import ApiError
from api.products import PATH as PRODUCT_PATH
from companies.models import Company
from invoicing.models import Invoice, InvoiceLine
from invoicing.money import VAT_RATE_PERCENT

router = Router(auth=APIKey("invoice"), tags=["TMF678 Customer Bill"])
PATH = "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate/"

KIND_TO_TMF: dict[str, str] = {
    InvoiceLine.Kind.SUBSCRIPTION: "recurring",
    InvoiceLine.Kind.ADD_ON: "recurring",
    InvoiceLine.Kind.USAGE: "usage",
    InvoiceLine.Kind.LATE_USAGE: "usage",
    InvoiceLine.Kind.ONE_OFF: "oneTime",
}
TYPES = ("recurring", "usage", "oneTime")
FIELDS = (
    "name",
    "description",
    "type",
    "date",
    "isBilled",
    "bill",
    "product",
    "taxExcludedAmount",
    "appliedTax",
    "characteristic",
    "periodCoverage",
)
# The invoice's own order: newest bill first, then its users by name, as the invoice shows them.
ORDER = ("-invoice__period", "-invoice__number", "section__user_name", "section_id", "id")
ROW_FIELDS = (
    "id",
    "invoice_id",
    "kind",
    "usage_type",
    "description",
    "quantity",
    "amount",
    "section__subscription_id",
    "section__user_name",
    "section__phone_number",
    "section__cost_centre",
    "section__product_name",
    "invoice__period",
    "invoice__issue_date",
)


def company_lines(company: Company) -> QuerySet[InvoiceLine]:
    """The lines of the company's invoices (through ``Invoice.objects``, so scoped and failing closed)."""
    return InvoiceLine.objects.filter(invoice__in=Invoice.objects.for_company(company).values("pk"))


def render_rows(request: HttpRequest, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    link, bills, products = tmf.href(request, PATH), tmf.href(request, BILL_PATH), tmf.href(request, PRODUCT_PATH)
    items = []
    for row in rows:
        product: dict[str, Any] = {"id": "", "name": row["section__user_name"], "@referredType": "Product"}
        if row["section__subscription_id"]:
            product |= {
                "id": str(row["section__subscription_id"]),
                "href": f"{products}{row['section__subscription_id']}",
            }
        characteristic = [
            {"name": "userName", "value": row["section__user_name"]},
            {"name": "phoneNumber", "value": row["section__phone_number"]},
            {"name": "costCentre", "value": row["section__cost_centre"]},
            {"name": "productOffering", "value": row["section__product_name"]},
            {"name": "quantity", "value": float(row["quantity"])},
        ]
        if row["usage_type"]:
            characteristic.append({"name": "usageType", "value": row["usage_type"]})
        items.append(
            {
                "id": str(row["id"]),
                "href": f"{link}{row['id']}",
                "@type": "AppliedCustomerBillingRate",
                "name": row["description"],
                "description": row["description"],
                "type": KIND_TO_TMF.get(row["kind"], row["kind"]),
                "date": tmf.iso(row["invoice__issue_date"]),
                "isBilled": True,
                "bill": {
                    "id": str(row["invoice_id"]),
                    "href": f"{bills}{row['invoice_id']}",
                    "@referredType": "CustomerBill",
                },
                "product": product,
                "taxExcludedAmount": tmf.money(row["amount"]),
                "appliedTax": [{"taxCategory": "VAT", "taxRate": VAT_RATE_PERCENT / 100}],
                "characteristic": characteristic,
                "periodCoverage": period(row["invoice__period"]),
            }
        )
    return items


def _id(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(422, "Not an id.", errors=[{"field": field, "message": "not an id"}]) from None


@router.get(
    "/appliedCustomerBillingRate",
    response=schemas.responses({200: list[schemas.AppliedCustomerBillingRate]}),
    by_alias=True,
    summary="List invoice lines per user (filter by bill.id)",
    operation_id="listAppliedCustomerBillingRate",
)
def list_rates(
    request: HttpRequest,
    bill_id: str | None = Query(None, alias="bill.id", max_length=20, pattern=r"^\d+$", description="The bill's id"),
    product_id: str | None = Query(
        None, alias="product.id", max_length=20, pattern=r"^\d+$", description="The user's product (subscription)"
    ),
    rate_type: Literal["recurring", "usage", "oneTime"] | None = Query(None, alias="type"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
) -> HttpResponse:
    wanted = tmf.projection(fields, FIELDS)
    qs = company_lines(company_of(request))
    if (bill := _id(bill_id, "bill.id")) is not None:
        qs = qs.filter(invoice_id=bill)
    if (product := _id(product_id, "product.id")) is not None:
        qs = qs.filter(section__subscription_id=product)
    if rate_type is not None:
        qs = qs.filter(kind__in=[k for k, t in KIND_TO_TMF.items() if t == rate_type])
    rows = qs.order_by(*ORDER).values(*ROW_FIELDS)

    def page(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return render_rows(request, rows)

    return tmf.list_response(request, rows, offset=offset, limit=limit, render=page, wanted=wanted)


@router.get(
    "/appliedCustomerBillingRate/{rate_id}",
    response=schemas.responses({200: schemas.AppliedCustomerBillingRate}, 404),
    by_alias=True,
    summary="Read one invoice line",
    operation_id="retrieveAppliedCustomerBillingRate",
)
def get_rate(
    request: HttpRequest,
    rate_id: int,
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
) -> HttpResponse:
    wanted = tmf.projection(fields, FIELDS)
    rows = list(company_lines(company_of(request)).filter(pk=rate_id).values(*ROW_FIELDS))
    if not rows:
        raise Http404
    return JsonResponse(tmf.project(render_rows(request, rows)[0], wanted))
