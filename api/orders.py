"""TMF622 Product Ordering: a new subscription (the guide's rules, ``api.neworders``), or cancel a
subscription or change its type, with the portal's rules.

An order has one item and is carried out at once through the subscriptions actions (earliest
cancellation date, allowed type changes, add-ons dropped as the profile page says); a refusal
stores nothing. The order is kept so the client can read it back; POSTs take an Idempotency-Key.
A new subscription's order then follows the subscription and its port request (its ``state``).
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router

from api import neworders, schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.errors import ApiError
from api.idempotency import idempotent
from api.models import ProductOrder
from api.products import PATH as PRODUCT_PATH
from numbering.models import PortRequest
from registry.scoping import get_for_company
from subscriptions import actions, selectors
from subscriptions.models import Subscription

router = Router(auth=APIKey("subscriptions"), tags=["TMF622 Product Ordering"])
PATH = "/tmf-api/productOrdering/v4/productOrder/"
ITEM = "productOrderItem[0]"


def render(
    request: HttpRequest, order: ProductOrder, port_requests: dict[int, PortRequest] | None = None
) -> dict[str, Any]:
    state, related = "completed", []
    if order.action == ProductOrder.Action.ADD:
        if port_requests is None:
            port_requests = neworders.port_requests_of(order.company, [order.subscription_id])
        port_request = port_requests.get(order.subscription_id)
        state = neworders.state(order.subscription, port_request)
        if port_request is not None:
            related.append(neworders.port_request_ref(request, port_request))
    item: dict[str, Any] = {
        "id": "1",
        "action": order.action,
        "state": state,
        "product": {
            "id": str(order.subscription_id),
            "href": tmf.href(request, f"{PRODUCT_PATH}{order.subscription_id}"),
            "@referredType": "Product",
        },
    }
    if order.target_code:
        item["productOffering"] = {"id": order.target_code, "@referredType": "ProductOffering"}
    body: dict[str, Any] = {
        "id": str(order.pk),
        "href": tmf.href(request, f"{PATH}{order.pk}"),
        "@type": "ProductOrder",
        "state": state,
        "description": order.description,
        "orderDate": tmf.iso(order.created_at),
        "completionDate": tmf.iso(order.created_at) if state == "completed" else None,
        "requestedCompletionDate": tmf.iso(order.effective_date),
        "productOrderItem": [item],
        "relatedParty": [{"id": str(order.company_id), "role": "customer", "@referredType": "Organization"}],
    }
    if order.action == ProductOrder.Action.ADD:
        item["itemPrice"], body["orderTotalPrice"] = neworders.render_prices(order.prices)
        body["relatedEntity"] = related
    return body


def _subscription(request: HttpRequest, product_id: str | None) -> Subscription:
    company = company_of(request)
    try:
        return get_for_company(selectors.subscription_detail(company), company, pk=int(product_id or ""))
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
    summary="Order a new subscription, cancel a product or change its type (send an Idempotency-Key to retry safely)",
    operation_id="createProductOrder",
)
def create_order(request: HttpRequest, payload: schemas.ProductOrderCreate) -> HttpResponse:
    item = payload.productOrderItem[0]
    if item.action == "add":
        return _add(request, payload)
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


def _add(request: HttpRequest, payload: schemas.ProductOrderCreate) -> HttpResponse:
    item = payload.productOrderItem[0]
    if item.product.id:
        raise ApiError(
            422,
            "A new subscription has no product id yet.",
            errors=[{"field": f"{ITEM}.product.id", "message": "not allowed with action add"}],
        )
    if payload.requestedCompletionDate is not None:
        # As in the guide: the subscription starts as soon as it is set up (or its number has moved).
        raise ApiError(
            422,
            "A new subscription starts when it is ready; it takes no date.",
            errors=[{"field": "requestedCompletionDate", "message": "not allowed with action add"}],
        )

    def write() -> HttpResponse:
        sub, prices = neworders.create(company=company_of(request), item=item, by=actor_of(request))
        order = ProductOrder.objects.create(
            company=sub.company,
            client=client_of(request),
            action=ProductOrder.Action.ADD,
            subscription=sub,
            target_code=sub.product.code,
            requested_date=payload.requestedCompletionDate,
            effective_date=sub.start_date,
            description=(payload.description or "").strip(),
            prices=prices,
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
    qs = (
        ProductOrder.objects.for_company(company_of(request))
        .select_related("subscription")
        .order_by("-created_at", "-id")
    )

    def page(rows: Sequence[ProductOrder]) -> list[dict[str, Any]]:
        added = [o.subscription_id for o in rows if o.action == ProductOrder.Action.ADD]
        port_requests = neworders.port_requests_of(company_of(request), added)
        return [render(request, order, port_requests) for order in rows]

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
        render(
            request,
            get_for_company(
                ProductOrder.objects.for_company(company).select_related("subscription"), company, pk=order_id
            ),
        )
    )
