"""The shapes the OpenAPI document shows. Output is built as plain dicts (fast, and ``fields=`` can
leave attributes out), so every output attribute but ``id`` is optional here, as in the TMF specs."""

import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from products.actions import MAX_QUANTITY


def fields_pattern(names: tuple[str, ...]) -> str:
    """``fields=``: a comma-separated list of the resource's attributes, as a regular expression."""
    name = "|".join(names)
    return rf"^({name})(,({name}))*$"


class Money(Schema):
    unit: str = "DKK"
    value: float


class Error(Schema):
    type: str = Field("Error", alias="@type")
    code: str
    reason: str
    message: str
    status: str
    errors: list[dict[str, str]] | None = None


class Ref(Schema):
    id: str
    href: str | None = None
    name: str | None = None
    role: str | None = None
    referredType: str | None = Field(None, alias="@referredType")


class Characteristic(Schema):
    name: str
    value: Any = None
    valueType: str | None = None


class Price(Schema):
    name: str | None = None
    priceType: str
    recurringChargePeriod: str | None = None
    price: dict[str, Money]


class Product(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    name: str | None = None
    status: str | None = None
    startDate: str | None = None
    terminationDate: str | None = None
    lastUpdate: str | None = None
    isBundle: bool | None = None
    productOffering: Ref | None = None
    productCharacteristic: list[Characteristic] | None = None
    productPrice: list[Price] | None = None
    relatedParty: list[Ref] | None = None


class CharacteristicIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    value: str = Field(max_length=200)


class ProductPatch(Schema):
    """A merge patch: the user's name and the characteristics that may change."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    name: str | None = Field(None, max_length=200)
    productCharacteristic: list[CharacteristicIn] | None = None


class Note(Schema):
    id: str
    type: str | None = Field(None, alias="@type")
    text: str | None = None
    author: str | None = None
    date: str | None = None


class StatusChange(Schema):
    status: str
    changeDate: str | None = None
    changeReason: str | None = None


class TroubleTicket(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    externalId: str | None = None
    name: str | None = None
    description: str | None = None
    ticketType: str | None = None
    priority: str | None = None
    severity: str | None = None
    status: str | None = None
    statusChangeDate: str | None = None
    statusChangeReason: str | None = None
    creationDate: str | None = None
    lastUpdate: str | None = None
    channel: dict[str, str] | None = None
    relatedEntity: list[Ref] | None = None
    relatedParty: list[Ref] | None = None
    note: list[Note] | None = None
    statusChange: list[StatusChange] | None = None
    attachment: list["Attachment"] | None = None


TicketStatus = Literal["acknowledged", "inProgress", "pending", "held", "resolved", "closed", "rejected", "cancelled"]
TicketType = Literal["subscriptions", "numbers", "invoice", "technical_fault", "access", "other"]
Priority = Literal["Low", "Medium", "High", "Critical"]


class RelatedEntityIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(max_length=40)
    referredType: str = Field("Product", alias="@referredType")
    role: str | None = Field(None, max_length=40)


class TroubleTicketCreate(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    name: str = Field(min_length=1, max_length=150)
    description: str = Field(min_length=1, max_length=10000)
    ticketType: TicketType
    priority: Priority = "Medium"
    relatedEntity: list[RelatedEntityIn] = Field(default_factory=list, max_length=1)


class NoteCreate(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    text: str = Field(min_length=1, max_length=10000)


class Attachment(Schema):
    id: str
    type: str | None = Field(None, alias="@type")
    name: str | None = None
    mimeType: str | None = None
    url: str | None = None


class TaxItem(Schema):
    taxCategory: str
    taxRate: float
    taxAmount: Money


class TimePeriod(Schema):
    startDateTime: str | None = None
    endDateTime: str | None = None


class CustomerBill(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    billNo: str | None = None
    category: str | None = None
    state: str | None = None
    isOverdue: bool | None = None
    billDate: str | None = None
    paymentDueDate: str | None = None
    billingPeriod: TimePeriod | None = None
    amountDue: Money | None = None
    remainingAmount: Money | None = None
    taxExcludedAmount: Money | None = None
    taxIncludedAmount: Money | None = None
    taxItem: list[TaxItem] | None = None
    billDocument: list[Attachment] | None = None
    relatedParty: list[Ref] | None = None


def responses(ok: dict[int, Any], *more: int) -> dict[int, Any]:
    """An operation's documented answers: its success, and the errors every call may meet."""
    return {**ok, **{code: Error for code in sorted({400, 401, 403, 422, 429, *more})}}


class OfferingRefIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(max_length=40)
    referredType: str | None = Field(None, alias="@referredType")


class OrderCharacteristicIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=40)
    value: str | bool | list[str] = Field(description="A text; portConsent true/false; addOns a list of codes")
    valueType: str | None = Field(None, max_length=20)


class ProductRefIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | None = Field(None, max_length=20, description="delete/modify: the product; not for add")
    referredType: str | None = Field(None, alias="@referredType")
    productOffering: OfferingRefIn | None = None
    name: str | None = Field(None, max_length=200, description="add: the user's name")
    productCharacteristic: list[OrderCharacteristicIn] | None = Field(
        None, max_length=20, description="add: the guide's answers (see the API guide)"
    )


class ProductOrderItemIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field("1", max_length=20)
    type: str | None = Field(None, alias="@type")
    action: Literal["add", "delete", "modify"]
    product: ProductRefIn


class ProductOrderCreate(Schema):
    """One item: a new subscription (``add``, the guide's rules), cancel (``delete``) a product, or change its
    type (``modify`` with a new productOffering)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    description: str | None = Field(None, max_length=200, description="For a cancellation: the reason")
    requestedCompletionDate: datetime.date | None = Field(
        None,
        description="Cancel: the last day (default: the earliest allowed). Change: today (default) "
        "or the 1st of next month.",
    )
    productOrderItem: list[ProductOrderItemIn] = Field(min_length=1, max_length=1)


class OrderPrice(Schema):
    name: str | None = None
    priceType: str
    recurringChargePeriod: str | None = None
    price: dict[str, Money]


class ProductOrderItem(Schema):
    id: str
    action: str | None = None
    state: str | None = None
    product: Ref | None = None
    productOffering: Ref | None = None
    itemPrice: list[OrderPrice] | None = None


class ProductOrder(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    state: str | None = None
    description: str | None = None
    orderDate: str | None = None
    completionDate: str | None = None
    requestedCompletionDate: str | None = None
    productOrderItem: list[ProductOrderItem] | None = None
    orderTotalPrice: list[OrderPrice] | None = None
    relatedEntity: list[Ref] | None = None
    relatedParty: list[Ref] | None = None


class Hub(Schema):
    """A TMF hub (event listener). ``secret`` is only in the registration's answer, once."""

    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    callback: str | None = None
    query: str | None = None
    eventType: list[str] | None = None
    secret: str | None = None
    creationDate: str | None = None
    secretRotationDate: str | None = None
    previousSecretValidUntil: str | None = None


class HubCreate(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    callback: str = Field(min_length=1, max_length=500)
    query: str = Field("", max_length=500)


class AppliedTax(Schema):
    taxCategory: str
    taxRate: float


class AppliedCustomerBillingRate(Schema):
    id: str
    href: str | None = None
    type_: str | None = Field(None, alias="@type")
    name: str | None = None
    description: str | None = None
    type: str | None = None
    date: str | None = None
    isBilled: bool | None = None
    bill: Ref | None = None
    product: Ref | None = None
    taxExcludedAmount: Money | None = None
    appliedTax: list[AppliedTax] | None = None
    characteristic: list[Characteristic] | None = None
    periodCoverage: TimePeriod | None = None


# TMF622 productOrder for the Products area's hardware and SIM cards (api/hardwareorders.py) ----------------


class TaxedPrice(Schema):
    """TMF Price: the amount excl. and incl. VAT, and the VAT rate in percent."""

    dutyFreeAmount: Money
    taxIncludedAmount: Money
    taxRate: float


class HardwarePrice(Schema):
    name: str | None = None
    priceType: str
    price: TaxedPrice


class ProductOffering(Schema):
    """A catalogue item (SIM card, eSIM, phone, tablet, router, accessory); its id is the item's code."""

    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    name: str | None = None
    description: str | None = None
    lifecycleStatus: str | None = None
    isSellable: bool | None = None
    category: list[Ref] | None = None
    productOfferingPrice: list[HardwarePrice] | None = None
    deliveryDays: int | None = Field(None, description="Delivery time in working days (extension)")


class DeliveryAddress(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    name: str = Field(min_length=1, max_length=200, description="The recipient")
    street: str = Field(min_length=1, max_length=200, description="Street and number")
    postcode: str = Field(min_length=1, max_length=10)
    city: str = Field(min_length=1, max_length=100)


class HardwareProductIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    productCharacteristic: list[CharacteristicIn] | None = Field(
        None,
        max_length=3,
        description="subscription (the TMF637 product id it is for), employeeName, employeeEmail (an eSIM's "
        "activation goes there; default: the subscription's e-mail)",
    )


class HardwareOrderItemIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field("1", max_length=20)
    type: str | None = Field(None, alias="@type")
    action: Literal["add"]
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY, description=f"1 to {MAX_QUANTITY} of each item")
    productOffering: OfferingRefIn
    product: HardwareProductIn | None = None


class HardwareOrderCreate(Schema):
    """Catalogue items to order: each item a productOffering (the catalogue item's code) and a quantity."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    description: str | None = Field(None, max_length=200, description="A note for the order")
    billing: Literal["oneOff", "instalments12", "instalments24"] = Field(
        "oneOff", description="On the next invoice, or 12 or 24 monthly instalments (extension)"
    )
    deliveryAddress: DeliveryAddress | None = Field(None, description="Default: the company's address (extension)")
    productOrderItem: list[HardwareOrderItemIn] = Field(min_length=1, max_length=20)


class HardwareOrderItem(Schema):
    id: str
    action: str | None = None
    state: str | None = None
    quantity: int | None = None
    productOffering: Ref | None = None
    product: dict[str, Any] | None = None
    itemPrice: list[HardwarePrice] | None = None
    itemTotalPrice: list[HardwarePrice] | None = None


class Shipment(Schema):
    """A parcel sent for the order, with its tracking link (extension)."""

    id: str
    type: str | None = Field(None, alias="@type")
    carrier: str | None = None
    trackingNumber: str | None = None
    trackingUrl: str | None = None
    shippedDate: str | None = None
    productOrderItem: list[dict[str, Any]] | None = None


class OrderNote(Schema):
    type: str | None = Field(None, alias="@type")
    author: str | None = None
    text: str | None = None


class HardwareOrder(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    externalId: str | None = None
    state: str | None = None
    description: str | None = None
    orderDate: str | None = None
    completionDate: str | None = None
    cancellationDate: str | None = None
    cancellationReason: str | None = None
    billing: str | None = None
    deliveryAddress: dict[str, Any] | None = None
    note: list[OrderNote] | None = None
    productOrderItem: list[HardwareOrderItem] | None = None
    orderTotalPrice: list[HardwarePrice] | None = None
    shipment: list[Shipment] | None = None
    relatedParty: list[Ref] | None = None


class OrderRefIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(max_length=20)
    href: str | None = Field(None, max_length=500)
    referredType: str | None = Field(None, alias="@referredType")


class CancelProductOrderCreate(Schema):
    """TMF622's task resource: cancel an order (possible until it is picked for dispatch)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    productOrder: OrderRefIn
    cancellationReason: str | None = Field(None, max_length=200)


class CancelProductOrder(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    state: str | None = None
    cancellationReason: str | None = None
    effectiveCancellationDate: str | None = None
    productOrder: Ref | None = None
