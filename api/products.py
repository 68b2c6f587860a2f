"""TMF637 Product Inventory: the company's subscriptions as ``product``. Never the SIM's PIN or PUK."""

import datetime
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja import Query, Router
from pydantic import AfterValidator, BeforeValidator

from api import schemas, tmf
from api.auth import APIKey, actor_of, company_of
from api.errors import ApiError
from api.export import Encoder
from companies.models import Company
from registry.scoping import get_for_company
from subscriptions import actions, selectors
from subscriptions.forms import DetailsForm
from subscriptions.identifiers import search_phone
from subscriptions.models import Product, Subscription

router = Router(auth=APIKey("subscriptions"), tags=["TMF637 Product Inventory"])
PATH = "/tmf-api/productInventory/v4/product/"

STATUS_TO_TMF: dict[str, str] = {
    Subscription.Status.PENDING_ACTIVE: "pendingActive",
    Subscription.Status.ACTIVE: "active",
    Subscription.Status.SUSPENDED: "suspended",
    Subscription.Status.PENDING_TERMINATE: "pendingTerminate",
    Subscription.Status.TERMINATED: "terminated",
    Subscription.Status.CANCELLED: "cancelled",
}
STATUS_FROM_TMF = {v: k for k, v in STATUS_TO_TMF.items()}

SORTS: dict[str, tuple[str, ...]] = {
    "name": selectors.SORTS["name"],
    "-name": selectors.SORTS["-name"],
    "email": selectors.SORTS["email"],
    "-email": selectors.SORTS["-email"],
    "phoneNumber": selectors.SORTS["phone"],
    "-phoneNumber": selectors.SORTS["-phone"],
    "lastUpdate": ("updated_at", "id"),
    "-lastUpdate": ("-updated_at", "-id"),
}
FIELDS = (
    "name",
    "status",
    "startDate",
    "terminationDate",
    "lastUpdate",
    "isBundle",
    "productOffering",
    "productCharacteristic",
    "productPrice",
    "relatedParty",
)
Status = Literal["pendingActive", "active", "suspended", "pendingTerminate", "terminated", "cancelled"]
# The sorts a cursor pages (their order is a sort key and the id, on an index).
KEYSET_SORTS = ("name", "-name")
KEY_FIELDS = ("sort_name",)
Sort = Literal["name", "-name", "email", "-email", "phoneNumber", "-phoneNumber", "lastUpdate", "-lastUpdate"]
# Characteristic name -> model field, for those a PATCH may change (as on the portal's profile).
WRITABLE = {
    "email": "email",
    "costCentre": "cost_centre",
    "salaryNumber": "salary_number",
    "invoiceNote": "invoice_note",
}
CHARACTERISTICS = (
    ("phoneNumber", "phone_number"),
    ("email", "email"),
    ("costCentre", "cost_centre"),
    ("salaryNumber", "salary_number"),
    ("invoiceNote", "invoice_note"),
    ("simType", "sim_type"),
    ("iccid", "iccid"),
)
FORM_FIELDS = {"user_name": "name", **{field: f"productCharacteristic.{name}" for name, field in WRITABLE.items()}}


# What a product is made of: plain values, no model instances (a page of 100 costs a fraction of the time).
ROW_FIELDS = (
    "id",
    "user_name",
    "status",
    "start_date",
    "end_date",
    "updated_at",
    "phone_number",
    "email",
    "cost_centre",
    "salary_number",
    "invoice_note",
    "sim_type",
    "iccid",
    "product_id",
)


def _price(name: str, ore: int) -> dict[str, Any]:
    return {
        "name": name,
        "priceType": "recurring",
        "recurringChargePeriod": "month",
        "price": {"dutyFreeAmount": tmf.money(ore)},
    }


def render_rows(
    request: HttpRequest,
    company: Company,
    rows: Sequence[dict[str, Any]],
    offerings: dict[int, Product] | None = None,
) -> list[dict[str, Any]]:
    """Products from ``ROW_FIELDS`` values: the catalogue and the add-ons in one query each, per page."""
    if offerings is None:
        offerings = {p.pk: p for p in selectors.products_in_order()}
    add_ons = selectors.add_on_prices([row["id"] for row in rows])
    party = [{"id": str(company.pk), "name": company.name, "role": "customer", "@referredType": "Organization"}]
    link = tmf.href(request, PATH)
    items = []
    for row in rows:
        product = offerings[row["product_id"]]
        items.append(
            {
                "id": str(row["id"]),
                "href": f"{link}{row['id']}",
                "@type": "Product",
                "name": row["user_name"],
                "status": STATUS_TO_TMF.get(row["status"], row["status"]),
                "isBundle": False,
                "startDate": tmf.iso(row["start_date"]),
                "terminationDate": tmf.iso(row["end_date"]),
                "lastUpdate": tmf.iso(row["updated_at"]),
                "productOffering": {"id": product.code, "name": product.name, "@referredType": "ProductOffering"},
                "productCharacteristic": [
                    {"name": name, "valueType": "string", "value": row[field]} for name, field in CHARACTERISTICS
                ],
                "productPrice": [_price(product.name, product.monthly_price)]
                + [_price(name, price) for name, price in add_ons.get(row["id"], [])],
                "relatedParty": party,
            }
        )
    return items


def render(request: HttpRequest, sub: Subscription) -> dict[str, Any]:
    return render_rows(request, sub.company, [{field: getattr(sub, field) for field in ROW_FIELDS}])[0]


def _iso_only(value: Any) -> Any:
    # Strictly ISO 8601: pydantic alone would also take a Unix timestamp such as "0.5".
    if isinstance(value, str) and parse_datetime(value.strip()) is None:
        raise ValueError("expected an ISO 8601 date and time")
    return value


def _in_utc(value: datetime.datetime) -> datetime.datetime:
    # In UTC before it reaches the database: Python takes offsets up to ±23:59, PostgreSQL only ±15:59.
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError("the date and time is out of range") from None


IsoDatetime = Annotated[datetime.datetime, BeforeValidator(_iso_only), AfterValidator(_in_utc)]


def _one(request: HttpRequest, product_id: int) -> Subscription:
    company = company_of(request)
    return get_for_company(selectors.company_subscriptions(company).select_related("company"), company, pk=product_id)


def _keyset(sort: str | None, cursor: str | None, offset: int) -> bool:
    """Whether the page is found by its key (a cursor, or the first page of a sort a cursor pages)."""
    keyset = (sort or "name") in KEYSET_SORTS
    if cursor and not keyset:
        raise ApiError(
            422,
            f"cursor pages the sorts {', '.join(KEYSET_SORTS)}; use offset for the others.",
            errors=[{"field": "cursor", "message": "not with this sort"}],
        )
    if cursor and offset:
        raise ApiError(
            422, "Give cursor or offset, not both.", errors=[{"field": "offset", "message": "not with cursor"}]
        )
    return keyset and not offset


@router.get(
    "/product",
    response=schemas.responses({200: list[schemas.Product]}),
    by_alias=True,
    summary="List products (subscriptions)",
    operation_id="listProduct",
)
def list_products(
    request: HttpRequest,
    status: Status | None = None,
    offering: str | None = Query(None, alias="productOffering.id", description="The subscription type's code"),
    cost_centre: str | None = Query(None, alias="costCentre", max_length=40),
    phone: str | None = Query(None, alias="phoneNumber", max_length=40),
    email: str | None = Query(None, max_length=254),
    updated_since: IsoDatetime | None = Query(None, alias="lastUpdate.gte", description="ISO 8601 date and time"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
    sort: Sort | None = None,
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
    cursor: str | None = Query(
        None,
        max_length=2000,
        description="The next page (from X-Next-Cursor or Link rel=next) by name: as fast at any depth; not with offset",
    ),
) -> HttpResponse:
    company = company_of(request)
    order = tmf.ordering(sort, SORTS, "name")
    keyset = _keyset(sort, cursor, offset)
    wanted = tmf.projection(fields, FIELDS)
    if status is not None and status not in STATUS_FROM_TMF:
        raise ApiError(
            422, "Unknown status.", errors=[{"field": "status", "message": f"one of {', '.join(STATUS_FROM_TMF)}"}]
        )
    qs = selectors.subscription_list(
        company,
        status=STATUS_FROM_TMF[status] if status else "",
        cost_centre=cost_centre or "",
    )
    if offering:
        qs = qs.filter(product__code=offering)
    if phone:
        e164 = search_phone(phone)
        if e164 is None:
            raise ApiError(
                422, "Not a phone number.", errors=[{"field": "phoneNumber", "message": "not a phone number"}]
            )
        qs = qs.filter(phone_number=e164)
    if email:
        qs = qs.filter(email__iexact=email.strip())
    if updated_since is not None:  # aware and in UTC (IsoDatetime)
        qs = qs.filter(updated_at__gte=updated_since)
    rows = qs.select_related(None).order_by(*order).values(*ROW_FIELDS, *KEY_FIELDS)
    offerings = {p.pk: p for p in selectors.products_in_order()}
    total = None
    if not (phone or email or updated_since):
        # Status, type and cost centre only: the database's maintained counters know the total, so the
        # page costs the same at 1,000 or 50,000 subscriptions (no COUNT over the company's rows).
        counts = selectors.type_counts(
            company, status=STATUS_FROM_TMF[status] if status else "", cost_centre=cost_centre or ""
        )
        if counts is not None:
            total = sum(n for pk, n in counts.items() if not offering or offerings[pk].code == offering)

    def page(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return render_rows(request, company, rows, offerings)

    if keyset:
        return tmf.keyset_response(
            request,
            rows,
            sort=sort or "name",
            order=order,
            key_of=lambda row: (row["sort_name"], row["id"]),
            cursor=cursor or "",
            limit=limit,
            render=page,
            wanted=wanted,
            total=total,
        )
    return tmf.list_response(request, rows, offset=offset, limit=limit, render=page, wanted=wanted, total=total)


EXPORT_CHUNK = 5000


@router.get(
    "/product/export",
    response=schemas.responses({}),
    summary="Every product of the company, streamed as NDJSON (one product per line), no row cap",
    operation_id="exportProduct",
    openapi_extra={
        "responses": {"200": {"description": "One product per line", "content": {"application/x-ndjson": {}}}}
    },
)
def export_products(
    request: HttpRequest,
    status: Status | None = None,
    offering: str | None = Query(None, alias="productOffering.id", max_length=40),
    cost_centre: str | None = Query(None, alias="costCentre", max_length=40),
    updated_since: IsoDatetime | None = Query(None, alias="lastUpdate.gte"),
) -> StreamingHttpResponse:
    company = company_of(request)
    qs = selectors.subscription_list(
        company, status=STATUS_FROM_TMF[status] if status else "", cost_centre=cost_centre or ""
    )
    if offering:
        qs = qs.filter(product__code=offering)
    if updated_since is not None:  # aware and in UTC (IsoDatetime)
        qs = qs.filter(updated_at__gte=updated_since)
    encoder = Encoder(
        link=tmf.href(request, PATH),
        company=company,
        offerings={p.pk: p for p in selectors.products_in_order()},
        status_to_tmf=STATUS_TO_TMF,
        characteristics=CHARACTERISTICS,
        price=_price,
    )
    # Keyset chunks by id, encoded from value tuples (api/export.py): constant memory, no OFFSET, no row cap.
    lines = encoder.stream(qs.select_related(None), chunk=EXPORT_CHUNK)
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    response["Content-Disposition"] = 'attachment; filename="products.ndjson"'
    return response


@router.get(
    "/product/{product_id}",
    response=schemas.responses({200: schemas.Product}, 404),
    by_alias=True,
    summary="Read one product (subscription)",
    operation_id="retrieveProduct",
)
def get_product(
    request: HttpRequest,
    product_id: int,
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
) -> HttpResponse:
    wanted = tmf.projection(fields, FIELDS)
    return JsonResponse(tmf.project(render(request, _one(request, product_id)), wanted))


@router.patch(
    "/product/{product_id}",
    response=schemas.responses({200: schemas.Product}, 404),
    by_alias=True,
    summary="Change a product's user details or cost centre (as on the portal's profile)",
    operation_id="patchProduct",
)
def patch_product(request: HttpRequest, product_id: int, patch: schemas.ProductPatch) -> HttpResponse:
    sub = _one(request, product_id)
    data = {field: getattr(sub, field) for field in actions.DETAIL_FIELDS}
    if patch.name is not None:
        data["user_name"] = patch.name
    errors = []
    for index, item in enumerate(patch.productCharacteristic or []):
        if item.name not in WRITABLE:
            errors.append(
                {
                    "field": f"productCharacteristic[{index}].name",
                    "message": f"cannot be changed here; one of {', '.join(WRITABLE)}",
                }
            )
        else:
            data[WRITABLE[item.name]] = item.value
    if errors:
        raise ApiError(422, "The request is not valid.", errors=errors)
    form = DetailsForm(data, instance=sub)
    if not form.is_valid():
        raise ApiError(
            422,
            "The request is not valid.",
            errors=[
                {"field": FORM_FIELDS.get(name, name), "message": " ".join(str(m) for m in messages)}
                for name, messages in form.errors.items()
            ],
        )
    # The form validated a copy of the fields; the action reloads the row, locks it and audits the change.
    actions.change_details(sub, data={f: form.cleaned_data[f] for f in actions.DETAIL_FIELDS}, by=actor_of(request))
    return JsonResponse(render(request, _one(request, product_id)))
