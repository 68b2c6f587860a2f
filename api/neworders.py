"""TMF622 ``productOrder`` with ``action: add``: a new subscription through the portal's guide.

The order's item is answered step by step into ``subscriptions.guide.Guide`` (held in a session that
lives only for the request), with the guide's own forms, so the rules are the guide's: the user, the
type and its add-ons, a new number from the pool or a number kept from another operator (the port-in:
the guide's ``SubscriptionCreated`` event makes the port request), the SIM card, then the guide's
confirmation, which charges the guide's fees. A refusal answers 422 with the item's field paths.

The order follows the subscription: its state is read from the subscription and its port request.
"""

from typing import Any, cast

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from api import schemas, tmf
from api.errors import ApiError
from audit.actor import Actor
from companies.models import Company
from numbering.models import PortRequest
from subscriptions import guide
from subscriptions.models import AddOn, NumberPool, Product, Subscription

ITEM = "productOrderItem[0].product"
# The order's characteristics: name -> (the guide's step, its form field).
CHARACTERISTICS: dict[str, tuple[str, str]] = {
    "email": ("user", "email"),
    "costCentre": ("user", "cost_centre"),
    "addOns": ("product", "add_ons"),
    "numberChoice": ("number", "choice"),
    "phoneNumber": ("number", "phone"),
    "portOperator": ("number", "port_operator"),
    "portSignedName": ("number", "signed_name"),
    "portConsent": ("number", "consent"),
    "simType": ("sim", "choice"),
    "iccid": ("sim", "iccid"),
    "shipTo": ("sim", "ship_to"),
}
# A form field's error -> the characteristic it belongs to.
FORM_FIELDS: dict[tuple[str, str], str] = {
    ("number", "pool_number"): "phoneNumber",
    ("number", "port_number"): "phoneNumber",
    **{(step, field): name for name, (step, field) in CHARACTERISTICS.items()},
    ("user", "user_name"): "name",
    ("product", "product"): "productOffering",
}

# TMF622 order states from the subscription and its port request.
PORT_TO_TMF: dict[str, str] = {
    PortRequest.Status.DRAFT: "acknowledged",
    PortRequest.Status.SUBMITTED: "acknowledged",
    PortRequest.Status.PENDING: "inProgress",
    PortRequest.Status.SCHEDULED: "inProgress",
    # Refused by the current operator: the request waits for the customer to correct it.
    PortRequest.Status.REJECTED: "pending",
    PortRequest.Status.COMPLETED: "inProgress",
    PortRequest.Status.CANCELLED: "cancelled",
}


def state(sub: Subscription, port_request: PortRequest | None) -> str:
    """``acknowledged`` (the port request awaits our staff), ``inProgress`` (being set up or moved),
    ``pending`` (the port was refused and waits for the customer), ``completed`` or ``cancelled``."""
    if sub.status == Subscription.Status.CANCELLED:
        return "cancelled"
    if sub.status != Subscription.Status.PENDING_ACTIVE:
        return "completed"
    if port_request is not None:
        return PORT_TO_TMF.get(port_request.status, "inProgress")
    return "inProgress"


# The Numbers API's port requests (api/numbers.py serves them).
PORT_REQUEST_PATH = "/tmf-api/numbering/v4/portRequest/"


def port_requests_of(company: Company, subscription_ids: list[int]) -> dict[int, PortRequest]:
    """The newest port request of each subscription, in one query."""
    found: dict[int, PortRequest] = {}
    if not subscription_ids:
        return found
    rows = PortRequest.objects.for_company(company).filter(subscription_id__in=subscription_ids)
    for port_request in rows.order_by("created_at", "id"):
        found[port_request.subscription_id] = port_request  # type: ignore[index]
    return found


def port_request_ref(request: HttpRequest, port_request: PortRequest) -> dict[str, Any]:
    return {
        "id": str(port_request.pk),
        "href": tmf.href(request, f"{PORT_REQUEST_PATH}{port_request.pk}"),
        "name": port_request.reference,
        "role": "portIn",
        "@referredType": "PortRequest",
    }


def _path(name: str, given: dict[str, int]) -> str:
    if name == "name":
        return f"{ITEM}.name"
    if name == "productOffering":
        return f"{ITEM}.productOffering.id"
    if name in given:
        return f"{ITEM}.productCharacteristic[{given[name]}].value"
    return f"{ITEM}.productCharacteristic.{name}"


def _text(value: str | bool | list[str]) -> str:
    if isinstance(value, list):
        return ",".join(value)
    return "true" if value is True else ("" if value is False else value)


class _Answers:
    """The item's characteristics as the guide's forms' data, and its errors as the item's field paths."""

    def __init__(self, item: schemas.ProductOrderItemIn) -> None:
        self.given: dict[str, int] = {}
        self.values: dict[str, str | bool | list[str]] = {}
        errors = []
        for index, characteristic in enumerate(item.product.productCharacteristic or []):
            if characteristic.name not in CHARACTERISTICS:
                errors.append(
                    {
                        "field": f"{ITEM}.productCharacteristic[{index}].name",
                        "message": f"unknown; one of {', '.join(CHARACTERISTICS)}",
                    }
                )
                continue
            self.given[characteristic.name] = index
            self.values[characteristic.name] = characteristic.value
        if errors:
            raise ApiError(422, "The request is not valid.", errors=errors)

    def text(self, name: str) -> str:
        return _text(self.values.get(name, "")).strip()

    def codes(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        if isinstance(value, list):
            return [v.strip() for v in value if v.strip()]
        return [v.strip() for v in _text(value).split(",") if v.strip()]

    def refused(self, step: str, errors: dict[str, list[str]]) -> ApiError:
        fields = []
        for field, messages in errors.items():
            name = FORM_FIELDS.get((step, field), field)
            fields.append({"field": _path(name, self.given), "message": " ".join(str(m) for m in messages)})
        return ApiError(422, "The request is not valid.", errors=fields)


def _step_data(step: str, item: schemas.ProductOrderItemIn, answers: _Answers) -> dict[str, Any]:
    """What the guide's page would post for ``step``."""
    if step == "user":
        return {
            "user_name": item.product.name or "",
            "email": answers.text("email"),
            "cost_centre": answers.text("costCentre"),
        }
    if step == "product":
        offering = item.product.productOffering
        code = offering.id if offering is not None else ""
        chosen = Product.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
        add_on_codes = answers.codes("addOns")
        add_ons = dict(AddOn.objects.filter(code__in=add_on_codes).values_list("code", "pk"))
        unknown = [c for c in add_on_codes if c not in add_ons]
        if unknown:
            raise ApiError(
                422,
                "Unknown add-ons.",
                errors=[{"field": _path("addOns", answers.given), "message": f"unknown {', '.join(unknown)}"}],
            )
        return {"product": "" if not code else (chosen or -1), "add_ons": list(add_ons.values())}
    if step == "number":
        choice = answers.text("numberChoice") or "pool"
        phone = answers.text("phoneNumber")
        if choice == "pool":
            return {"choice": "pool", "pool_number": phone or _first_free()}
        return {
            "choice": choice,
            "port_number": phone,
            "port_operator": answers.text("portOperator"),
            "signed_name": answers.text("portSignedName"),
            "consent": "on" if answers.text("portConsent").lower() in ("true", "on", "1", "yes") else "",
        }
    return {"choice": answers.text("simType"), "iccid": answers.text("iccid"), "ship_to": answers.text("shipTo")}


def _first_free() -> str:
    return NumberPool.objects.filter(reserved_for__isnull=True).values_list("phone_number", flat=True).first() or ""


def _form(current: guide.Guide, step: str, data: dict[str, Any]) -> Any:
    form = current.form(step, data)
    if step == "number" and data.get("choice") == "pool" and data.get("pool_number"):
        # The page offers the first free numbers; the API may ask for any free one (taken atomically on confirm).
        number = data["pool_number"]
        field = cast(forms.ChoiceField, form.fields["pool_number"])
        offered = cast(list[tuple[str, str]], field.choices)
        if (
            number not in dict(offered)
            and NumberPool.objects.filter(phone_number=number, reserved_for__isnull=True).exists()
        ):
            field.choices = [*offered, (number, number)]
    return form


def create(*, company: Company, item: schemas.ProductOrderItemIn, by: Actor) -> tuple[Subscription, dict[str, Any]]:
    """Walks the guide's steps with the item's answers and confirms it; returns the subscription and its prices."""
    answers = _Answers(item)
    current = guide.Guide(SessionBase(), company)
    step = "user"
    while step != "summary":
        form = _form(current, step, _step_data(step, item, answers))
        if not form.is_valid():
            raise answers.refused(step, form.errors)
        step = current.answer(step, form.cleaned_data, by=by)
    new = guide.new_subscription(current.draft)
    fees = guide.fees(new)
    try:
        sub = current.confirm(new, token=current.draft["token"], by=by)
    except ValidationError as exc:
        # The number was taken meanwhile, or is already with us.
        raise ApiError(
            422,
            " ".join(exc.messages),
            errors=[{"field": _path("phoneNumber", answers.given), "message": " ".join(exc.messages)}],
        ) from None
    prices = {
        "fees": [{"name": fee.display_name, "price": fee.price} for fee in fees],
        "monthly": [{"name": new.product.display_name, "price": new.product.monthly_price}]
        + [{"name": add_on.display_name, "price": add_on.monthly_price} for add_on in new.add_ons],
    }
    return sub, prices


def render_prices(prices: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The item's prices and the order's totals (TMF622 ``itemPrice`` and ``orderTotalPrice``), excl. VAT."""
    item = [
        {"name": fee["name"], "priceType": "oneTime", "price": {"dutyFreeAmount": tmf.money(fee["price"])}}
        for fee in prices.get("fees", [])
    ] + [
        {
            "name": line["name"],
            "priceType": "recurring",
            "recurringChargePeriod": "month",
            "price": {"dutyFreeAmount": tmf.money(line["price"])},
        }
        for line in prices.get("monthly", [])
    ]
    total = [
        {
            "priceType": "oneTime",
            "price": {"dutyFreeAmount": tmf.money(sum(f["price"] for f in prices.get("fees", [])))},
        },
        {
            "priceType": "recurring",
            "recurringChargePeriod": "month",
            "price": {"dutyFreeAmount": tmf.money(sum(m["price"] for m in prices.get("monthly", [])))},
        },
    ]
    return item, total
