"""TMF622 Product Ordering for the Products area: orders of SIM cards, eSIMs, phones and other hardware.

Under its own base (``hardwareOrdering/v4``) because it is another area than the subscription orders of
``productOrdering/v4`` (``api.orders``): a client needs the Products grant, and the ids are the Products
area's orders. The catalogue is ``productOffering`` (TMF620 shape; its id is the item's code).

A POST is ``products.actions.place_order`` with the portal basket's rules: stock reserved under the
items' row locks, and the company's approval rules, so an order may come back ``held`` for a second
admin (who gets the portal's e-mail). Cancelling is TMF622's task resource ``cancelProductOrder``
(``products.actions.cancel_order``: only before the order is picked for dispatch).
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Path, Query, Router

from api import schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.errors import ApiError
from api.idempotency import idempotent
from common.money import VAT_RATE_PERCENT, vat_of
from companies.models import Company
from products import actions, selectors
from products.models import Item, Order, OrderLine, Shipment
from registry.scoping import get_for_company
from subscriptions.models import Subscription

router = Router(auth=APIKey("products"), tags=["TMF622 Product Ordering: hardware and SIM cards"])
BASE = "/tmf-api/hardwareOrdering/v4/"
PATH = f"{BASE}productOrder/"
CANCEL_PATH = f"{BASE}cancelProductOrder/"
OFFERING_PATH = f"{BASE}productOffering/"
SUBSCRIPTION_PATH = "/tmf-api/productInventory/v4/product/"

BILLING_TO_TMF = {
    Order.Billing.ONE_OFF: "oneOff",
    Order.Billing.MONTHS_12: "instalments12",
    Order.Billing.MONTHS_24: "instalments24",
}
BILLING_FROM_TMF = {v: k for k, v in BILLING_TO_TMF.items()}
# The item's characteristics an order takes: the subscription it is for, and the employee it goes to.
CHARACTERISTICS = ("subscription", "employeeName", "employeeEmail")
States = Query(None, description="acknowledged, inProgress, held, partial, completed or cancelled")


def _price(name: str | None, ore: int, vat: int | None = None) -> dict[str, Any]:
    vat = vat_of(ore) if vat is None else vat
    price = {
        "dutyFreeAmount": tmf.money(ore),
        "taxIncludedAmount": tmf.money(ore + vat),
        "taxRate": float(VAT_RATE_PERCENT),
    }
    return {"name": name, "priceType": "oneTime", "price": price} if name else {"priceType": "oneTime", "price": price}


# The catalogue: productOffering ------------------------------------------------------------------------


def render_offering(request: HttpRequest, item: Item) -> dict[str, Any]:
    return {
        "id": item.code,
        "href": tmf.href(request, f"{OFFERING_PATH}{item.code}"),
        "@type": "ProductOffering",
        "name": item.display_name,
        "description": item.display_description,
        "lifecycleStatus": "Launched",
        "isSellable": True,
        "category": [{"id": item.kind, "name": str(item.get_kind_display()), "@referredType": "Category"}],
        "productOfferingPrice": [_price(item.display_name, item.price)],
        "deliveryDays": item.delivery_days,
    }


@router.get(
    "/productOffering",
    response=schemas.responses({200: list[schemas.ProductOffering]}),
    by_alias=True,
    summary="List the catalogue: SIM cards, eSIMs, phones, tablets, routers and accessories for sale",
    operation_id="listProductOffering",
)
def list_offerings(
    request: HttpRequest,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
    category: str | None = Query(None, alias="category.id", description=", ".join(Item.Kind.values)),
) -> HttpResponse:
    if category is not None and category not in Item.Kind.values:
        raise ApiError(
            422,
            f"category.id must be one of: {', '.join(Item.Kind.values)}.",
            errors=[{"field": "category.id", "message": "unknown category"}],
        )
    qs = selectors.catalogue(kind=category).order_by("sort_order", "name", "id")

    def page(rows: Sequence[Item]) -> list[dict[str, Any]]:
        return [render_offering(request, item) for item in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=None)


@router.get(
    "/productOffering/{offering_id}",
    response=schemas.responses({200: schemas.ProductOffering}, 404),
    by_alias=True,
    summary="Read one catalogue item (by its code)",
    operation_id="retrieveProductOffering",
)
def get_offering(
    request: HttpRequest, offering_id: str = Path(..., max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
) -> HttpResponse:
    # The catalogue is the operator's, shared by every company: no company scope to apply.
    item = selectors.catalogue().filter(code=offering_id).first()
    if item is None:
        raise Http404
    return JsonResponse(render_offering(request, item))


# Orders: productOrder ----------------------------------------------------------------------------------


def orders_of(company: Company) -> QuerySet[Order]:
    """The company's orders with what a page renders: three queries for the page's lines and parcels,
    whatever the number of orders (pinned in api/tests/test_hardware_orders.py)."""
    return (
        Order.objects.for_company(company)
        .order_by("-placed_at", "-id")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("item").order_by("id")),
            Prefetch("shipments", queryset=Shipment.objects.prefetch_related("lines").order_by("shipped_at", "id")),
        )
    )


def _item_state(order: Order, line: OrderLine) -> str:
    """TMF622 ProductOrderItemStateType from the line: what was sent of it, or the order's state."""
    if order.state == Order.State.CANCELLED:
        return "cancelled"
    if line.shipped_quantity >= line.quantity:
        return "completed"
    if line.shipped_quantity:
        return "partial"
    if order.completed_at is not None:
        return "cancelled"  # the order was closed without it (put back in stock, never billed)
    if order.state == Order.State.PARTIAL:
        return "inProgress"  # other items of the order went in a parcel; this one is still to come
    return str(order.state)


def _characteristics(line: OrderLine) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if line.subscription_id:
        found.append({"name": "subscription", "value": str(line.subscription_id), "valueType": "string"})
    if line.employee_name:
        found.append({"name": "employeeName", "value": line.employee_name, "valueType": "string"})
    if line.employee_email:
        found.append({"name": "employeeEmail", "value": line.employee_email, "valueType": "string"})
    return found


def render(request: HttpRequest, order: Order) -> dict[str, Any]:
    lines = list(order.lines.all())
    position = {line.pk: str(number) for number, line in enumerate(lines, start=1)}
    items = []
    for line in lines:
        product: dict[str, Any] = {"@type": "Product", "name": line.item.display_name}
        characteristics = _characteristics(line)
        if characteristics:
            product["productCharacteristic"] = characteristics
        if line.subscription_id:
            product["productRelationship"] = [
                {
                    "relationshipType": "for",
                    "product": {
                        "id": str(line.subscription_id),
                        "href": tmf.href(request, f"{SUBSCRIPTION_PATH}{line.subscription_id}"),
                        "@referredType": "Product",
                    },
                }
            ]
        items.append(
            {
                "id": position[line.pk],
                "action": "add",
                "state": _item_state(order, line),
                "quantity": line.quantity,
                "productOffering": {
                    "id": line.item.code,
                    "href": tmf.href(request, f"{OFFERING_PATH}{line.item.code}"),
                    "name": line.item.display_name,
                    "@referredType": "ProductOffering",
                },
                "product": product,
                "itemPrice": [_price(line.item.display_name, line.unit_price)],
                "itemTotalPrice": [_price(None, line.amount)],
                "shippedQuantity": line.shipped_quantity,
                "returnedQuantity": line.returned_quantity,
            }
        )
    shipments = [
        {
            "id": str(shipment.pk),
            "@type": "Shipment",
            "carrier": shipment.carrier,
            "trackingNumber": shipment.tracking_number,
            "trackingUrl": shipment.tracking_url,
            "shippedDate": tmf.iso(shipment.shipped_at),
            "productOrderItem": [
                {"id": position[sl.line_id], "quantity": sl.quantity}
                for sl in shipment.lines.all()
                if sl.line_id in position
            ],
        }
        for shipment in order.shipments.all()
    ]
    closed = order.cancelled_at if order.state == Order.State.CANCELLED else order.completed_at
    body: dict[str, Any] = {
        "id": str(order.pk),
        "href": tmf.href(request, f"{PATH}{order.pk}"),
        "@type": "ProductOrder",
        "externalId": order.reference,
        "state": order.state,
        "description": order.note,
        "orderDate": tmf.iso(order.placed_at),
        "completionDate": tmf.iso(closed),
        "cancellationDate": tmf.iso(order.cancelled_at),
        "cancellationReason": ("Refused by the company's approver." if order.refused else order.cancel_reason or None),
        "billing": BILLING_TO_TMF.get(order.billing, order.billing),  # type: ignore[call-overload]
        "deliveryAddress": {
            "@type": "DeliveryAddress",
            "name": order.delivery_name,
            "street": order.delivery_street,
            "postcode": order.delivery_postcode,
            "city": order.delivery_city,
        },
        "note": (
            [{"@type": "Note", "author": "approval", "text": order.approval_reason}] if order.needs_approval else []
        ),
        "productOrderItem": items,
        "orderTotalPrice": [_price(None, order.total, order.vat)],
        "shipment": shipments,
        "relatedParty": [{"id": str(order.company_id), "role": "customer", "@referredType": "Organization"}],
    }
    return body


def _refused(exc: ValidationError, field: str = "productOrderItem") -> ApiError:
    message = " ".join(exc.messages)
    return ApiError(422, message, errors=[{"field": field, "message": message}])


def _wanted(company: Company, payload: schemas.HardwareOrderCreate) -> list[actions.WantedLine]:
    """The items as basket lines. Unknown offerings and subscriptions are refused here with their field
    paths; ``place_order`` checks everything again under its locks."""
    codes = {item.productOffering.id for item in payload.productOrderItem}
    items = dict(selectors.catalogue().filter(code__in=codes).values_list("code", "pk"))
    errors: list[dict[str, str]] = []
    found: list[tuple[int, int, dict[str, str], dict[str, int]]] = []
    for index, item in enumerate(payload.productOrderItem):
        at = f"productOrderItem[{index}]"
        if item.productOffering.id not in items:
            errors.append({"field": f"{at}.productOffering.id", "message": "no such product offering for sale"})
        values: dict[str, str] = {}
        where: dict[str, int] = {}
        for number, characteristic in enumerate((item.product.productCharacteristic if item.product else None) or []):
            name = characteristic.name
            if name not in CHARACTERISTICS or name in values:
                message = f"unknown or repeated; one of {', '.join(CHARACTERISTICS)}"
                errors.append({"field": f"{at}.product.productCharacteristic[{number}].name", "message": message})
                continue
            values[name], where[name] = characteristic.value.strip(), number
        email = values.get("employeeEmail", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                field = f"{at}.product.productCharacteristic[{where['employeeEmail']}].value"
                errors.append({"field": field, "message": "not an e-mail address"})
        found.append((index, items.get(item.productOffering.id, 0), values, where))
    wanted_subscriptions = {v["subscription"] for _i, _pk, v, _w in found if v.get("subscription")}
    ids = {int(s) for s in wanted_subscriptions if s.isdigit() and len(s) < 12}
    own = set(Subscription.objects.for_company(company).filter(pk__in=ids).values_list("pk", flat=True))
    lines = []
    for index, item_pk, values, where in found:
        subscription = values.get("subscription", "")
        if subscription and (not subscription.isdigit() or int(subscription) not in own):
            # Another company's subscription reads as no subscription at all.
            field = f"productOrderItem[{index}].product.productCharacteristic[{where['subscription']}].value"
            errors.append({"field": field, "message": "no such subscription"})
            continue
        lines.append(
            actions.WantedLine(
                item_id=item_pk,
                quantity=payload.productOrderItem[index].quantity,
                subscription_id=int(subscription) if subscription else None,
                employee_name=values.get("employeeName", ""),
                employee_email=values.get("employeeEmail", ""),
            )
        )
    if errors:
        raise ApiError(422, "The request is not valid.", errors=errors)
    return lines


def _delivery(company: Company, payload: schemas.HardwareOrderCreate) -> actions.Delivery:
    address = payload.deliveryAddress
    if address is not None:
        return actions.Delivery(name=address.name, street=address.street, postcode=address.postcode, city=address.city)
    if not (company.street and company.postcode and company.city):
        raise ApiError(
            422,
            "We have no address for your company: give the deliveryAddress.",
            errors=[{"field": "deliveryAddress", "message": "required: the company has no address"}],
        )
    return actions.Delivery(name=company.name, street=company.street, postcode=company.postcode, city=company.city)


def _one(company: Company, order_id: int) -> Order:
    return get_for_company(orders_of(company), company, pk=order_id)


@router.post(
    "/productOrder",
    response=schemas.responses({201: schemas.HardwareOrder}),
    by_alias=True,
    summary="Order catalogue items (the company's approval rules apply: the order may be held for a second "
    "admin; send an Idempotency-Key to retry safely)",
    operation_id="createHardwareProductOrder",
)
def create_order(request: HttpRequest, payload: schemas.HardwareOrderCreate) -> HttpResponse:
    company = company_of(request)
    lines = _wanted(company, payload)
    delivery = _delivery(company, payload)

    def approval_url(token: str) -> str:
        return request.build_absolute_uri(reverse("products:approval:confirm", args=[token]))

    def write() -> HttpResponse:
        try:
            order = actions.place_order(
                company=company,
                lines=lines,
                delivery=delivery,
                billing=BILLING_FROM_TMF[payload.billing],
                note=payload.description or "",
                by=actor_of(request),
                approval_url=approval_url,
            )
        except ValidationError as exc:
            raise _refused(exc) from None
        return tmf.created(render(request, _one(company, order.pk)))

    return idempotent(request, client_of(request), write)


@router.get(
    "/productOrder",
    response=schemas.responses({200: list[schemas.HardwareOrder]}),
    by_alias=True,
    summary="List the company's hardware and SIM card orders, newest first",
    operation_id="listHardwareProductOrder",
)
def list_orders(
    request: HttpRequest,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
    state: str | None = States,
) -> HttpResponse:
    qs = orders_of(company_of(request))
    if state is not None:
        if state not in Order.State.values:
            raise ApiError(
                422,
                f"state must be one of: {', '.join(Order.State.values)}.",
                errors=[{"field": "state", "message": "unknown state"}],
            )
        qs = qs.filter(state=state)

    def page(rows: Sequence[Order]) -> list[dict[str, Any]]:
        return [render(request, order) for order in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=None)


@router.get(
    "/productOrder/{hardware_order_id}",
    response=schemas.responses({200: schemas.HardwareOrder}, 404),
    by_alias=True,
    summary="Read one order: its items, prices, state and parcels with their tracking links",
    operation_id="retrieveHardwareProductOrder",
)
def get_order(request: HttpRequest, hardware_order_id: int) -> HttpResponse:
    return JsonResponse(render(request, _one(company_of(request), hardware_order_id)))


# Cancelling: cancelProductOrder (TMF622's task resource) ----------------------------------------------


def render_cancel(request: HttpRequest, order: Order) -> dict[str, Any]:
    return {
        "id": str(order.pk),
        "href": tmf.href(request, f"{CANCEL_PATH}{order.pk}"),
        "@type": "CancelProductOrder",
        "state": "done",
        "cancellationReason": order.cancel_reason or None,
        "effectiveCancellationDate": tmf.iso(order.cancelled_at),
        "productOrder": {
            "id": str(order.pk),
            "href": tmf.href(request, f"{PATH}{order.pk}"),
            "@referredType": "ProductOrder",
        },
    }


@router.post(
    "/cancelProductOrder",
    response=schemas.responses({201: schemas.CancelProductOrder}, 409),
    by_alias=True,
    summary="Cancel an order before it is picked for dispatch; its stock goes back on the shelf",
    operation_id="createCancelProductOrder",
)
def cancel(request: HttpRequest, payload: schemas.CancelProductOrderCreate) -> HttpResponse:
    company = company_of(request)
    try:
        order = _one(company, int(payload.productOrder.id))
    except (Http404, ValueError):
        # As for any reference in a body: a missing and another company's order answer alike.
        raise ApiError(
            422, "No such product order.", errors=[{"field": "productOrder.id", "message": "no such product order"}]
        ) from None

    def write() -> HttpResponse:
        if not order.is_cancellable:
            raise ApiError(
                409,
                "The order can no longer be cancelled: it is being packed or has been sent.",
                code="not_cancellable",
            )
        try:
            actions.cancel_order(order=order, reason=payload.cancellationReason or "", by=actor_of(request))
        except ValidationError as exc:  # picked meanwhile (checked again under the order's lock)
            raise ApiError(409, " ".join(exc.messages), code="not_cancellable") from None
        return tmf.created(render_cancel(request, _one(company, order.pk)))

    return idempotent(request, client_of(request), write)


@router.get(
    "/cancelProductOrder/{cancel_id}",
    response=schemas.responses({200: schemas.CancelProductOrder}, 404),
    by_alias=True,
    summary="Read a cancellation (its id is the order's; an order is cancelled once)",
    operation_id="retrieveCancelProductOrder",
)
def get_cancel(request: HttpRequest, cancel_id: int) -> HttpResponse:
    company = company_of(request)
    cancelled = Order.objects.for_company(company).filter(state=Order.State.CANCELLED, refused=False)
    return JsonResponse(render_cancel(request, get_for_company(cancelled, company, pk=cancel_id)))
