"""TMF622 Product Ordering: cancel a subscription or change its type, with the portal's rules.

An order has one item and is carried out at once through the subscriptions actions (earliest
cancellation date, allowed type changes, add-ons dropped as the profile page says); a refusal
stores nothing. The order is kept so the client can read it back; POSTs take an Idempotency-Key.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router

from api import schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.errors import ApiError
from api.idempotency import idempotent
from api.models import ProductOrder
from api.products import PATH as PRODUCT_PATH
from registry.scoping import get_for_company
from subscriptions import actions, selectors
from subscriptions.models import Subscription

router = Router(auth=APIKey("subscriptions"), tags=["TMF622 Product Ordering"])
PATH = "/tmf-api/productOrdering/v4/productOrder/"
ITEM = "productOrderItem[0]"


def render(request: HttpRequest, order: ProductOrder) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "1",
        "action": order.action,
        "state": "completed",
        "product": {
            "id": str(order.subscription_id),
            "href": tmf.href(request, f"{PRODUCT_PATH}{order.subscription_id}"),
            "@referredType": "Product",
        },
    }
    if order.target_code:
        item["productOffering"] = {"id": order.target_code, "@referredType": "ProductOffering"}
    return {
        "id": str(order.pk),
        "href": tmf.href(request, f"{PATH}{order.pk}"),
        "@type": "ProductOrder",
        "state": "completed",
        "description": order.description,
        "orderDate": tmf.iso(order.created_at),
        "completionDate": tmf.iso(order.created_at),
        "requestedCompletionDate": tmf.iso(order.effective_date),
        "productOrderItem": [item],
        "relatedParty": [{"id": str(order.company_id), "role": "customer", "@referredType": "Organization"}],
    }


def _subscription(request: HttpRequest, product_id: str) -> Subscription:
    company = company_of(request)
    try:
        return get_for_company(selectors.subscription_detail(company), company, pk=int(product_id))
    except (Http404, ValueError):
        raise ApiError(
            422, "No such product.", errors=[{"field": f"{ITEM}.product.id", "message": "no such product"}]
        ) from None


def _refused(exc: ValidationError, field: str) -> ApiError:
    return ApiError(422, " ".join(exc.messages), errors=[{"field": field, "message": " ".join(exc.messages)}])


def _cancel(request: HttpRequest, sub: Subscription, payload: schemas.ProductOrderCreate) -> tuple[datetime.date, str]:
    if not sub.is_open:
        raise ApiError(409, "This subscription is already cancelled.", code="not_open")
    reason = (payload.description or "").strip()
    if not reason:
        raise ApiError(
            422, "Give a reason for the cancellation.", errors=[{"field": "description", "message": "required"}]
        )
    earliest = actions.earliest_cancel_date(sub)
    on = payload.requestedCompletionDate or earliest
    if on < earliest:
        raise ApiError(
            422,
            f"The earliest possible date is {earliest.isoformat()}.",
            errors=[{"field": "requestedCompletionDate", "message": f"on or after {earliest.isoformat()}"}],
        )
    try:
        actions.cancel(sub, on=on, reason=reason, by=actor_of(request))
    except ValidationError as exc:
        raise _refused(exc, "requestedCompletionDate") from None
    return on, ""


def _change(
    request: HttpRequest, sub: Subscription, item: schemas.ProductOrderItemIn, wanted: datetime.date | None
) -> tuple[datetime.date, str]:
    field = f"{ITEM}.product.productOffering.id"
    if item.product.productOffering is None:
        raise ApiError(422, "Name the new subscription type.", errors=[{"field": field, "message": "required"}])
    if not sub.is_open:
        raise ApiError(409, "Only a running subscription can change type.", code="not_open")
    code = item.product.productOffering.id
    target = next((p for p in sub.product.allowed_changes.all() if p.code == code and p.is_active), None)
    if target is None:
        raise ApiError(
            422,
            f"{code} is not an allowed change for this subscription.",
            errors=[{"field": field, "message": "not an allowed change"}],
        )
    today = timezone.localdate()
    if wanted is None or wanted == today:
        effective = "now"
    elif wanted == actions.first_of_next_month(today):
        effective = "next_period"
    else:
        raise ApiError(
            422,
            "A type change takes effect today or on the 1st of next month.",
            errors=[{"field": "requestedCompletionDate", "message": "today or the 1st of next month"}],
        )
    try:
        change = actions.change_product(sub, target=target, effective=effective, by=actor_of(request))
    except ValidationError as exc:
        raise _refused(exc, field) from None
    return change.effective_date, target.code


@router.post(
    "/productOrder",
    response=schemas.responses({201: schemas.ProductOrder}, 409),
    by_alias=True,
    summary="Cancel a product or change its type (send an Idempotency-Key to retry safely)",
    operation_id="createProductOrder",
)
def create_order(request: HttpRequest, payload: schemas.ProductOrderCreate) -> HttpResponse:
    item = payload.productOrderItem[0]
    sub = _subscription(request, item.product.id)

    def write() -> HttpResponse:
        if item.action == "delete":
            effective, target = _cancel(request, sub, payload)
        else:
            effective, target = _change(request, sub, item, payload.requestedCompletionDate)
        order = ProductOrder.objects.create(
            company=sub.company,
            client=client_of(request),
            action=item.action,
            subscription=sub,
            target_code=target,
            requested_date=payload.requestedCompletionDate,
            effective_date=effective,
            description=(payload.description or "").strip(),
        )
        return tmf.created(render(request, order))

    return idempotent(request, client_of(request), write)


@router.get(
    "/productOrder",
    response=schemas.responses({200: list[schemas.ProductOrder]}),
    by_alias=True,
    summary="List product orders",
    operation_id="listProductOrder",
)
def list_orders(
    request: HttpRequest,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
) -> HttpResponse:
    qs = ProductOrder.objects.for_company(company_of(request)).order_by("-created_at", "-id")

    def page(rows: Sequence[ProductOrder]) -> list[dict[str, Any]]:
        return [render(request, order) for order in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=None)


@router.get(
    "/productOrder/{order_id}",
    response=schemas.responses({200: schemas.ProductOrder}, 404),
    by_alias=True,
    summary="Read one product order",
    operation_id="retrieveProductOrder",
)
def get_order(request: HttpRequest, order_id: int) -> HttpResponse:
    company = company_of(request)
    return JsonResponse(
        render(request, get_for_company(ProductOrder.objects.for_company(company), company, pk=order_id))
    )
