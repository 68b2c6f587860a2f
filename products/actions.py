"""Writes of the Products area: validate, write, audit, side effects on commit.

Stock is reserved when an order is placed, under row locks on the catalogue items (taken in primary-key
order, so two orders never deadlock), and put back when an order is refused or cancelled or hardware is
returned. Billing happens when goods ship: each shipped line becomes one-off charges through
``subscriptions.events.ChargeDue`` (the generic billable line that invoicing bills on the next run).
"""

import datetime as dt
import hashlib
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from common.formats import money
from common.money import vat_of
from companies.models import Company, Membership
from companies.permissions import AreaPolicy
from invoicing.events import ChargesWithdrawn
from jobs.queue import enqueue
from products.events import OrderStateChanged
from products.models import (
    EsimActivation,
    Item,
    Order,
    OrderLine,
    ProductSettings,
    ReturnRequest,
    Shipment,
    ShipmentLine,
    StockMovement,
)
from registry.events import publish
from subscriptions.events import ChargeDue
from subscriptions.models import Subscription

if TYPE_CHECKING:
    from accounts.models import User

AREA = "products"
MAX_QUANTITY = 50
EMPLOYEE_MAX_QUANTITY = 1  # an employee asks for one item at a time, for themselves
RETURN_DAYS = 14

ApprovalUrl = Callable[[str], str]  # a token in, the confirm page's absolute address out


@dataclass(frozen=True)
class WantedLine:
    """A basket line: an item, how many, and whom it is for (a subscription, an employee, or nobody)."""

    item_id: int
    quantity: int
    subscription_id: int | None = None
    employee_name: str = ""
    employee_email: str = ""


@dataclass(frozen=True)
class Requester:
    """The employee an order is placed for from their own page (not a User): their subscription and address."""

    subscription: Subscription
    email: str
    language: str


@dataclass(frozen=True)
class Delivery:
    name: str
    street: str
    postcode: str
    city: str


# -- stock ----------------------------------------------------------------------------------------------
# Every change of Item.stock is a delta applied to the row while it is locked (SELECT … FOR UPDATE) and
# written down as a StockMovement in the same transaction: no form ever saves an absolute value (which
# would undo a reservation made in between), and the stock's history adds up to it.

Reason = StockMovement.Reason


def _move(
    item: Item, delta: int, reason: str, *, by: Actor, order: Order | None = None, note: str = ""
) -> StockMovement:
    """Applies ``delta`` to ``item`` (row-locked by the caller) and records the movement."""
    if item.stock + delta < 0:
        raise ValidationError(_("Not enough in stock: %(items)s.") % {"items": f"{item.display_name} ({item.stock})"})
    item.stock += delta
    item.save(update_fields=["stock"])
    return StockMovement.objects.create(
        item=item,
        delta=delta,
        stock_after=item.stock,
        reason=reason,
        note=note[:200],
        order=order,
        by=by.user if by.user is not None and by.user.pk else None,
        by_label=by.display[:254],
    )


class StockChanged(ValidationError):
    """The stock moved since the staff member read it: their count is checked against a stale value."""

    def __init__(self, message: str, *, stock: int) -> None:
        super().__init__(message, code="stock_changed")
        self.stock = stock


ADJUSTMENTS = ("receive", "write_off", "count")


@transaction.atomic
def adjust_stock(
    *, item: Item, kind: str, quantity: int, seen: int | None = None, note: str = "", by: Actor
) -> StockMovement:
    """Staff change the stock: receive N, write off N, or correct to a counted value.

    Receiving and writing off are deltas, right whatever orders did meanwhile. A count is an absolute
    value, so it is checked against ``seen`` (the stock the form showed): when the stock moved since,
    nothing changes and ``StockChanged`` carries the value it has now."""
    if kind not in ADJUSTMENTS:
        raise ValidationError(_("Choose what to do with the stock."))
    if quantity < 0 or (kind != "count" and quantity == 0):
        raise ValidationError(_("Enter a number of units above 0."))
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if kind == "count":
        if seen is None or seen != locked.stock:
            raise StockChanged(
                _(
                    "The stock changed while you counted: it is now %(stock)s (you saw %(seen)s). Nothing was "
                    "changed. Check your count against the new value and save again."
                )
                % {"stock": locked.stock, "seen": "-" if seen is None else seen},
                stock=locked.stock,
            )
        delta = quantity - locked.stock
        if delta == 0:
            raise ValidationError(_("The count matches the stock: nothing to correct."))
        reason = Reason.COUNTED
    elif kind == "receive":
        delta, reason = quantity, Reason.RECEIVED
    else:
        if quantity > locked.stock:
            raise ValidationError(
                _("You cannot write off more than is in stock (%(stock)s).") % {"stock": locked.stock}
            )
        delta, reason = -quantity, Reason.WRITTEN_OFF
    movement = _move(locked, delta, reason, by=by, note=note.strip())
    record(
        f"{AREA}.stock_adjusted",
        by=by,
        company=None,
        target=locked,
        details={"code": locked.code, "kind": kind, "delta": delta, "stock": locked.stock, "note": movement.note},
    )
    item.stock = locked.stock
    return movement


# -- the company's rules ---------------------------------------------------------------------------------


def settings_for(company: Company) -> ProductSettings:
    """The company's ordering rules (unsaved defaults when it has set none)."""
    found = ProductSettings.objects.for_company(company).first()
    return found if found is not None else ProductSettings(company=company)


@transaction.atomic
def save_settings(
    *,
    company: Company,
    approval_limit: int | None,
    approve_phones: bool,
    zero_touch_provider: str,
    zero_touch_org_id: str,
    employees_may_request: bool | None = None,
    employee_kinds: list[str] | None = None,
    by: Actor,
) -> ProductSettings:
    if bool(zero_touch_provider) != bool(zero_touch_org_id.strip()):
        raise ValidationError(_("Choose the zero-touch service and enter its organisation id, or leave both empty."))
    if employee_kinds is not None and not set(employee_kinds) <= set(Item.Kind.values):
        raise ValidationError(_("Choose the kinds employees may ask for from the list."))
    found, _created = ProductSettings.objects.unscoped().select_for_update().get_or_create(company=company)
    found.approval_limit = approval_limit
    found.approve_phones = approve_phones
    found.zero_touch_provider = zero_touch_provider
    found.zero_touch_org_id = zero_touch_org_id.strip()
    if employees_may_request is not None:
        found.employees_may_request = employees_may_request
    if employee_kinds is not None:
        found.employee_kinds = [kind for kind in Item.Kind.values if kind in employee_kinds]
    found.save()
    record(
        f"{AREA}.settings_saved",
        by=by,
        company=company,
        target=found,
        details={
            "approval_limit": approval_limit,
            "approve_phones": approve_phones,
            "zero_touch_provider": zero_touch_provider,
            "employees_may_request": found.employees_may_request,
            "employee_kinds": found.employee_kinds,
        },
    )
    return found


def employee_kinds(company_settings: ProductSettings) -> list[str]:
    """The kinds the company's employees may ask for (empty: employees may not ask)."""
    if not company_settings.employees_may_request:
        return []
    return [kind for kind in Item.Kind.values if kind in (company_settings.employee_kinds or [])]


def approval_reasons(*, company_settings: ProductSettings, total: int, items: list[Item]) -> list[str]:
    """Why an order needs a second admin (empty: it does not)."""
    reasons = []
    limit = company_settings.approval_limit
    if limit is not None and total > limit:
        reasons.append(_("The total is above %(limit)s.") % {"limit": money(limit)})
    if company_settings.approve_phones and any(item.kind == Item.Kind.PHONE for item in items):
        reasons.append(_("The order includes a phone."))
    return reasons


def approvers(order: Order) -> list[Membership]:
    """The admins who may approve: full access to Products in the order's company, not the one who ordered
    (an employee's request was placed by no admin: any of them).

    The area's own policy decides (a per-area read-only level or a cost-centre limit keeps an admin out)."""
    memberships = Membership.objects.filter(company_id=order.company_id, user__is_active=True).select_related("user")
    return [m for m in memberships if AreaPolicy(m).can_change(AREA) and m.user_id != order.placed_by_id]


def may_approve(order: Order, user: "User") -> bool:
    return any(m.user_id == user.pk for m in approvers(order))


# -- placing an order -------------------------------------------------------------------------------------


def _clean_requester(company: Company, wanted: list[WantedLine], requester: Requester) -> None:
    """An employee's order: one item, for their own running subscription of this company."""
    sub = requester.subscription
    if sub.company_id != company.pk or not requester.email.strip():
        raise ValidationError(_("Choose one of your company's subscriptions."))
    if len(wanted) != 1 or not 1 <= wanted[0].quantity <= EMPLOYEE_MAX_QUANTITY:
        raise ValidationError(_("Ask for one item at a time."))
    if wanted[0].subscription_id != sub.pk:
        raise ValidationError(_("You can only ask for hardware for your own subscription."))


def _clean_lines(company: Company, wanted: list[WantedLine]) -> tuple[dict[int, Item], dict[int, Subscription]]:
    if not wanted:
        raise ValidationError(_("Your basket is empty."))
    for line in wanted:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ValidationError(_("Order between 1 and %(max)s of each item.") % {"max": MAX_QUANTITY})
    # Row locks in primary-key order: two orders for the same items wait for each other, never deadlock.
    items = {
        item.pk: item
        for item in Item.objects.select_for_update().filter(pk__in={w.item_id for w in wanted}).order_by("pk")
    }
    subscription_ids = {w.subscription_id for w in wanted if w.subscription_id}
    subscriptions = {s.pk: s for s in Subscription.objects.for_company(company).filter(pk__in=subscription_ids)}
    for line in wanted:
        item = items.get(line.item_id)
        if item is None or not item.is_active:
            raise ValidationError(_("An item in your basket is no longer for sale. Remove it and try again."))
        if line.subscription_id and line.subscription_id not in subscriptions:
            raise ValidationError(_("Choose one of your company's subscriptions."))
        if item.kind == Item.Kind.ESIM:
            email = line.employee_email or (subscriptions[line.subscription_id].email if line.subscription_id else "")
            if not email:
                raise ValidationError(
                    _(
                        "An eSIM is sent to the employee by e-mail: enter their e-mail address or choose a subscription that has one."
                    )
                )
    wanted_per_item = Counter[int]()
    for line in wanted:
        wanted_per_item[line.item_id] += line.quantity
    short = [items[pk] for pk, count in wanted_per_item.items() if items[pk].stock < count]
    if short:
        raise ValidationError(
            _("Not enough in stock: %(items)s. Order fewer or choose another item.")
            % {"items": ", ".join(f"{item.display_name} ({item.stock})" for item in short)}
        )
    return items, subscriptions


def _employee_reasons(company_settings: ProductSettings, items: list[Item], reasons: list[str]) -> list[str]:
    allowed = employee_kinds(company_settings)
    if not allowed:
        raise ValidationError(_("Your company does not let employees ask for hardware here."))
    if any(item.kind not in allowed for item in items):
        raise ValidationError(_("Your company does not let employees ask for this item."))
    # Never on the limit alone: an employee's request always waits for an admin.
    return [_("Requested by an employee."), *reasons]


def _ask_approvers(order: Order, approval_url: ApprovalUrl | None) -> None:
    """Mails each admin who may approve the held order its confirm page's link; refuses when there is none."""
    who = approvers(order)
    if not who and order.by_employee:
        raise ValidationError(
            _("Nobody at your company can approve this in Self-service yet. Please ask your IT department.")
        )
    if not who:
        raise ValidationError(
            _(
                "Your company's rules need a second admin to approve this order, and no other admin has full "
                "access to Products. Ask a main admin to give one access, or change the rules."
            )
        )
    if approval_url is not None:
        from products.tasks import send_approval_request

        for membership in who:
            url = approval_url(approval_token(order, membership.user_id))
            enqueue(send_approval_request, order.pk, membership.user_id, url)


@transaction.atomic
def place_order(
    *,
    company: Company,
    lines: list[WantedLine],
    delivery: Delivery,
    billing: str,
    note: str = "",
    by: Actor,
    approval_url: ApprovalUrl | None = None,
    requested_by: Requester | None = None,
) -> Order:
    """Places an order: reserves the stock, and holds it for a second admin when the company's rules say so.

    With ``requested_by`` an employee asks from their own page (``by`` has no user): one item for their own
    subscription, of a kind the company lets employees ask for, and always held for any full-access admin."""
    if billing not in Order.Billing.values:
        raise ValidationError(_("Choose how the order is invoiced."))
    if not all((delivery.name.strip(), delivery.street.strip(), delivery.postcode.strip(), delivery.city.strip())):
        raise ValidationError(_("Enter the full delivery address."))
    if requested_by is not None:
        _clean_requester(company, lines, requested_by)
    items, subscriptions = _clean_lines(company, lines)
    total = sum(items[w.item_id].price * w.quantity for w in lines)
    company_settings = settings_for(company)
    reasons = approval_reasons(company_settings=company_settings, total=total, items=[items[w.item_id] for w in lines])
    if requested_by is not None:
        reasons = _employee_reasons(company_settings, [items[w.item_id] for w in lines], reasons)
    order = Order.objects.create(
        company=company,
        state=Order.State.HELD if reasons else Order.State.ACKNOWLEDGED,
        billing=billing,
        placed_by=by.user,
        delivery_name=delivery.name.strip(),
        delivery_street=delivery.street.strip(),
        delivery_postcode=delivery.postcode.strip(),
        delivery_city=delivery.city.strip(),
        note=note.strip(),
        total=total,
        vat=vat_of(total),
        needs_approval=bool(reasons),
        approval_reason=" ".join(reasons)[:200],
        zero_touch_provider=company_settings.zero_touch_provider,
        zero_touch_org_id=company_settings.zero_touch_org_id,
        requested_by_subscription=requested_by.subscription if requested_by else None,
        requested_by_name=requested_by.subscription.user_name if requested_by else "",
        requested_by_email=requested_by.email.strip() if requested_by else "",
        requested_language=requested_by.language if requested_by else "",
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                item=items[w.item_id],
                quantity=w.quantity,
                unit_price=items[w.item_id].price,
                subscription=subscriptions.get(w.subscription_id) if w.subscription_id else None,
                employee_name=w.employee_name.strip()
                or (subscriptions[w.subscription_id].user_name if w.subscription_id else ""),
                employee_email=w.employee_email.strip()
                or (subscriptions[w.subscription_id].email if w.subscription_id else ""),
            )
            for w in lines
        ]
    )
    wanted_per_item = Counter[int]()
    for w in lines:
        wanted_per_item[w.item_id] += w.quantity
    for pk in sorted(wanted_per_item):  # the items are locked (in _clean_lines); enough was checked there
        _move(items[pk], -wanted_per_item[pk], Reason.RESERVED, by=by, order=order)
    if reasons:
        _ask_approvers(order, approval_url)
    record(
        f"{AREA}.order_placed",
        by=by,
        company=company,
        target=order,
        details={
            "total": total,
            "billing": billing,
            "lines": [[items[w.item_id].code, w.quantity] for w in lines],
            "needs_approval": bool(reasons),
            **({"requested_by_subscription": requested_by.subscription.pk} if requested_by else {}),
        },
    )
    return order


# -- approval ---------------------------------------------------------------------------------------------

APPROVAL_SALT = "products.approval"
APPROVAL_MAX_AGE = 14 * 24 * 3600


def approval_token(order: Order, user_id: int) -> str:
    from django.core import signing

    return signing.dumps({"o": order.pk, "u": user_id}, salt=APPROVAL_SALT)


def order_for_approval_token(token: str) -> tuple[Order, "User"] | None:
    """The order and the approver an e-mail's link was sent to (None for a bad or expired link)."""
    from django.core import signing

    from accounts.models import User

    try:
        data = signing.loads(token, salt=APPROVAL_SALT, max_age=APPROVAL_MAX_AGE)
    except signing.BadSignature:
        return None
    order = Order.objects.unscoped().filter(pk=data.get("o")).select_related("company", "placed_by").first()
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if order is None or user is None:
        return None
    return order, user


def _state_changed(order: Order, previous: str) -> None:
    if order.state != previous:
        publish(OrderStateChanged(company_id=order.company_id, order_id=order.pk, previous=previous, state=order.state))


def _restock(order: Order, *, reason: str, by: Actor) -> None:
    """Puts back what the order reserved and never sent."""
    lines = list(order.lines.all())
    outstanding = Counter[int]()
    for line in lines:
        outstanding[line.item_id] += line.outstanding
    for item in Item.objects.select_for_update().filter(pk__in=list(outstanding)).order_by("pk"):
        if outstanding[item.pk]:
            _move(item, outstanding[item.pk], reason, by=by, order=order)


@transaction.atomic
def decide_order(*, order: Order, approve: bool, user: "User", by: Actor) -> Order:
    """A second admin approves or refuses a held order (from the portal or the e-mail's confirm page)."""
    order = Order.objects.unscoped().select_for_update().get(pk=order.pk)
    if order.state != Order.State.HELD or order.decided_at is not None:
        raise ValidationError(_("This order has already been decided."))
    if user.pk == order.placed_by_id:
        raise ValidationError(_("A second admin must approve the order: you placed it yourself."))
    if not may_approve(order, user):
        raise ValidationError(_("You may not approve orders for this company."))
    previous = order.state
    order.decided_by = user
    order.decided_at = timezone.now()
    if approve:
        order.state = Order.State.ACKNOWLEDGED
    else:
        order.state = Order.State.CANCELLED
        order.refused = True
        order.cancelled_at = order.decided_at
        _restock(order, reason=Reason.RESTOCKED, by=by)
    order.save()
    _state_changed(order, previous)
    record(
        f"{AREA}.order_approved" if approve else f"{AREA}.order_refused",
        by=by,
        company=order.company,
        target=order,
        details={"total": order.total},
    )
    from products.tasks import send_decision

    enqueue(send_decision, order.pk)
    return order


@transaction.atomic
def cancel_order(*, order: Order, reason: str = "", by: Actor) -> Order:
    """Cancels an order before anything is picked or dispatched; its stock goes back on the shelf."""
    order = Order.objects.unscoped().select_for_update().get(pk=order.pk)
    if not order.is_cancellable:
        raise ValidationError(_("The order can no longer be cancelled: it is being packed or has been sent."))
    previous = order.state
    order.state = Order.State.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason.strip()[:200]
    _restock(order, reason=Reason.RESTOCKED, by=by)
    order.save()
    _state_changed(order, previous)
    record(
        f"{AREA}.order_cancelled", by=by, company=order.company, target=order, details={"reason": order.cancel_reason}
    )
    return order


# -- fulfilment (staff) -----------------------------------------------------------------------------------


@transaction.atomic
def pick_order(*, order: Order, by: Actor) -> Order:
    order = Order.objects.unscoped().select_for_update().get(pk=order.pk)
    if order.state != Order.State.ACKNOWLEDGED:
        raise ValidationError(_("Only an acknowledged order can be picked."))
    order.state = Order.State.IN_PROGRESS
    order.picked_at = timezone.now()
    order.save(update_fields=["state", "picked_at"])
    _state_changed(order, Order.State.ACKNOWLEDGED)
    record(f"{AREA}.order_picked", by=by, company=order.company, target=order)
    return order


def _months_after(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def instalment_amounts(amount: int, count: int) -> list[int]:
    """``amount`` in ``count`` whole-øre instalments that add up to it (the first carries the remainder)."""
    base, remainder = divmod(amount, count)
    return [base + remainder] + [base] * (count - 1)


def charge_source(line: OrderLine) -> str:
    """The key of a line's charges in invoicing (``ChargeDue.source``), to withdraw them on a return."""
    return f"products.line:{line.pk}"


def _bill(order: Order, line: OrderLine, quantity: int, *, by: Actor) -> list[int]:
    """The shipped quantity's charges: one on the next invoice, or one per month over 12/24 months."""
    amount = quantity * line.unit_price
    if amount <= 0:
        return []
    today = timezone.localdate()
    count = order.instalments
    charges = []
    with translation.override(order.company.invoice_language):
        name = line.item.display_name
        for number, part in enumerate(instalment_amounts(amount, count), start=1):
            if count == 1:
                text = _("%(item)s × %(quantity)s, order %(order)s") % {  # noqa: RUF001
                    "item": name,
                    "quantity": quantity,
                    "order": order.reference,
                }
            else:
                text = _("%(item)s × %(quantity)s, order %(order)s, instalment %(number)s of %(count)s") % {  # noqa: RUF001
                    "item": name,
                    "quantity": quantity,
                    "order": order.reference,
                    "number": number,
                    "count": count,
                }
            on = today if number == 1 else _months_after(today, number - 1)
            facts = publish(
                ChargeDue(
                    company=order.company,
                    subscription=line.subscription,
                    description=text[:200],
                    amount=part,
                    on=on,
                    source=charge_source(line),
                    by=by,
                )
            )
            if "charge" in facts:
                charges.append(int(facts["charge"]))
    return charges


def _check_shipment(
    lines: dict[int, OrderLine],
    sending: dict[int, int],
    carrier: str,
    tracking_number: str,
    tracking_url: str,
    serials: dict[int, list[str]],
) -> bool:
    """Refuses a shipment that sends nothing, too much, a parcel without tracking or the wrong number of
    serials; returns whether a parcel goes (not only eSIMs)."""
    if not sending:
        raise ValidationError(_("Choose what to send."))
    for pk, count in sending.items():
        if pk not in lines or count < 0 or count > lines[pk].outstanding:
            raise ValidationError(_("You cannot send more than is still to be delivered."))
    physical = any(lines[pk].item.kind != Item.Kind.ESIM for pk in sending)
    if physical and not (carrier.strip() and tracking_number.strip() and tracking_url.strip()):
        raise ValidationError(_("A parcel needs the carrier, the tracking number and the tracking link."))
    for pk, found in serials.items():
        if found and len(found) != sending.get(pk, 0):
            raise ValidationError(_("Enter one serial number or IMEI per device sent."))
    return physical


@transaction.atomic
def ship_order(
    *,
    order: Order,
    quantities: dict[int, int],
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
    serials: dict[int, list[str]] | None = None,
    by: Actor,
) -> Shipment:
    """Sends (part of) an order: a parcel with its tracking link, eSIM activations by e-mail, zero-touch
    registration of the devices, and the charges for what was sent."""
    order = Order.objects.unscoped().select_for_update().select_related("company").get(pk=order.pk)
    if order.state not in (Order.State.IN_PROGRESS, Order.State.PARTIAL) or order.completed_at is not None:
        raise ValidationError(_("Pick the order before shipping it."))
    lines = {line.pk: line for line in order.lines.select_related("item", "subscription")}
    sending = {pk: n for pk, n in quantities.items() if n}
    physical = _check_shipment(lines, sending, carrier, tracking_number, tracking_url, serials or {})
    serials = serials or {}
    enrol = bool(order.zero_touch_provider and order.zero_touch_org_id)
    shipment = Shipment.objects.create(
        order=order, carrier=carrier.strip(), tracking_number=tracking_number.strip(), tracking_url=tracking_url.strip()
    )
    ShipmentLine.objects.bulk_create(
        [ShipmentLine(shipment=shipment, line=lines[pk], quantity=n) for pk, n in sending.items()]
    )
    charges: list[int] = []
    activations: list[int] = []
    enrolments: list[int] = []
    for pk, count in sending.items():
        line = lines[pk]
        line.shipped_quantity += count
        line.save(update_fields=["shipped_quantity"])
        charges += _bill(order, line, count, by=by)
        if line.item.kind == Item.Kind.ESIM:
            activations += [_new_activation(line).pk for _n in range(count)]
        if enrol and line.item.is_device:
            from products.models import Enrolment

            enrolments += [
                Enrolment.objects.create(
                    line=line, serial=serial, provider=order.zero_touch_provider, org_id=order.zero_touch_org_id
                ).pk
                for serial in serials.get(pk, [])
            ]
    done = all(line.outstanding == 0 for line in lines.values())
    previous = order.state
    order.state = Order.State.IN_PROGRESS if done else Order.State.PARTIAL
    order.save(update_fields=["state"])
    _state_changed(order, previous)
    record(
        f"{AREA}.order_shipped",
        by=by,
        company=order.company,
        target=order,
        details={"tracking_number": shipment.tracking_number, "lines": sending, "charges": charges},
    )
    from products.tasks import register_devices, send_esim_activation, send_shipped

    if physical:
        enqueue(send_shipped, shipment.pk)
    for activation_id in activations:
        enqueue(send_esim_activation, activation_id)
    if enrolments:
        enqueue(register_devices, enrolments)
    return shipment


@transaction.atomic
def complete_order(*, order: Order, by: Actor) -> Order:
    """Closes an order. What was never sent is put back in stock (and never billed): the order is partial."""
    order = Order.objects.unscoped().select_for_update().get(pk=order.pk)
    # A closed partial order keeps the state "partial": completed_at tells it is closed (and restocked once).
    if order.state not in (Order.State.IN_PROGRESS, Order.State.PARTIAL) or order.completed_at is not None:
        raise ValidationError(_("Only an order in progress can be completed."))
    if not order.shipments.exists():
        raise ValidationError(_("Ship the order before completing it."))
    lines = list(order.lines.all())
    left = any(line.outstanding for line in lines)
    if left:
        _restock(order, reason=Reason.NOT_SENT, by=by)
    previous = order.state
    order.state = Order.State.PARTIAL if left else Order.State.COMPLETED
    order.completed_at = timezone.now()
    order.save(update_fields=["state", "completed_at"])
    _state_changed(order, previous)
    record(f"{AREA}.order_completed", by=by, company=order.company, target=order, details={"partial": left})
    return order


# -- returns ----------------------------------------------------------------------------------------------


def return_deadline(line: OrderLine) -> dt.datetime | None:
    shipped = [sl.shipment.shipped_at for sl in line.shipment_lines.all()]
    return max(shipped) + dt.timedelta(days=RETURN_DAYS) if shipped else None


def returnable_quantity(line: OrderLine) -> int:
    """How many of the line may still come back: delivered, not returned, and sent within the last 14 days
    (a unit from a parcel past its window does not ride on a later parcel's)."""
    since = timezone.now() - dt.timedelta(days=RETURN_DAYS)
    recent = sum(sl.quantity for sl in line.shipment_lines.all() if sl.shipment.shipped_at >= since)
    return max(0, min(line.shipped_quantity - line.returned_quantity, recent))


@transaction.atomic
def request_return(*, order: Order, line_id: int, quantity: int, reason: str, by: Actor) -> ReturnRequest:
    """Hardware back within 14 days of its shipment: the stock goes back, and a credit line on the next invoice."""
    order = Order.objects.unscoped().select_for_update().select_related("company").get(pk=order.pk)
    line = order.lines.select_related("item", "subscription").filter(pk=line_id).first()
    if line is None:
        raise ValidationError(_("Choose a line of this order."))
    if not line.item.is_hardware:
        raise ValidationError(_("Only hardware can be returned."))
    deadline = return_deadline(line)
    if deadline is None or timezone.now() > deadline:
        raise ValidationError(_("Hardware can be returned within %(days)s days of delivery.") % {"days": RETURN_DAYS})
    if not 1 <= quantity <= returnable_quantity(line):
        raise ValidationError(_("You cannot return more than was delivered."))
    if not reason.strip():
        raise ValidationError(_("Tell us why the hardware is returned."))
    returned = ReturnRequest.objects.create(line=line, quantity=quantity, reason=reason.strip()[:200])
    billed_units = line.shipped_quantity - line.returned_quantity  # the units the line's charges are for now
    line.returned_quantity += quantity
    line.save(update_fields=["returned_quantity"])
    item = Item.objects.select_for_update().get(pk=line.item_id)
    _move(item, quantity, Reason.RETURNED, by=by, order=order)
    facts = _credit_return(order, line, returned, billed_units=billed_units, by=by)
    record(
        f"{AREA}.return_requested",
        by=by,
        company=order.company,
        target=order,
        details={"line": line.pk, "quantity": quantity, **facts},
    )
    return returned


def _credit_return(
    order: Order, line: OrderLine, returned: ReturnRequest, *, billed_units: int, by: Actor
) -> dict[str, int]:
    """The returned units cost nothing: a credit for a one-off order; for instalments, invoicing drops the
    units' share of the instalments not yet invoiced and credits only their share of those already invoiced."""
    with translation.override(order.company.invoice_language):
        text = _("Returned: %(item)s × %(quantity)s, order %(order)s") % {  # noqa: RUF001
            "item": line.item.display_name,
            "quantity": returned.quantity,
            "order": order.reference,
        }
        one_off_text = text
        if order.instalments > 1:
            text = _("%(returned)s, instalments already invoiced") % {"returned": text}
    facts: dict[str, int] = {}
    if order.instalments > 1:
        facts = publish(
            ChargesWithdrawn(
                company=order.company,
                source=charge_source(line),
                key=f"products.return:{returned.pk}",
                part=(returned.quantity, billed_units),
                credit_description=text,
                by=by,
            )
        )
    if order.instalments == 1 or facts.get("found") == 0:
        # One-off, or instalments billed before charges had a source (nothing to withdraw): the full price.
        facts = publish(
            ChargeDue(
                company=order.company,
                subscription=line.subscription,
                description=one_off_text[:200],
                amount=-returned.quantity * line.unit_price,
                source=charge_source(line),
                by=by,
            )
        )
        returned.credit = returned.quantity * line.unit_price
        returned.save(update_fields=["credit"])
        return {"credit": returned.credit, "charge": int(facts.get("charge", 0))}
    returned.instalments_credited = facts.get("credited", 0)
    returned.instalments_cancelled = facts.get("cancelled", 0)
    returned.instalments_reduced = facts.get("reduced", 0)
    returned.credit = facts.get("credit", 0)
    returned.withdrawn = facts.get("withdrawn", 0)
    returned.save(
        update_fields=["instalments_credited", "instalments_cancelled", "instalments_reduced", "credit", "withdrawn"]
    )
    return {
        k: facts[k] for k in ("withdrawal", "credited", "cancelled", "reduced", "credit", "withdrawn") if k in facts
    }


# -- eSIM -------------------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def activation_token(activation: EsimActivation) -> str:
    """The link's token: derived from the row's nonce and the secret key, so the database alone cannot make one."""
    return salted_hmac("products.esim", activation.nonce, algorithm="sha256").hexdigest()


def _new_activation(line: OrderLine) -> EsimActivation:
    activation = EsimActivation(
        line=line,
        email=line.employee_email,
        nonce=secrets.token_hex(16),
        activation_code=f"LPA:1$smdp.operator.example${secrets.token_hex(16).upper()}",
    )
    activation.token_hash = token_hash(activation_token(activation))
    activation.save()
    return activation


def activation_for_token(token: str) -> EsimActivation | None:
    return (
        EsimActivation.objects.filter(token_hash=token_hash(token), superseded_at__isnull=True)
        .select_related("line__order__company", "line__item")
        .first()
    )


@transaction.atomic
def open_activation(*, activation: EsimActivation, by: Actor) -> EsimActivation:
    if activation.revealed_at is None:
        activation.revealed_at = timezone.now()
        activation.save(update_fields=["revealed_at"])
        order = activation.line.order
        record(f"{AREA}.esim_opened", by=by, company=order.company, target=order, details={"activation": activation.pk})
    return activation


@transaction.atomic
def reissue_esim(*, order: Order, activation_id: int, email: str = "", by: Actor) -> EsimActivation:
    """A new device: the old activation stops working and a new code goes to the employee."""
    old = (
        EsimActivation.objects.select_for_update()
        .filter(pk=activation_id, line__order=order, superseded_at__isnull=True)
        .select_related("line")
        .first()
    )
    if old is None:
        raise ValidationError(_("Choose an eSIM of this order."))
    old.superseded_at = timezone.now()
    old.save(update_fields=["superseded_at"])
    line = old.line
    if email.strip():
        line.employee_email = email.strip()
        line.save(update_fields=["employee_email"])
    new = _new_activation(line)
    record(
        f"{AREA}.esim_sent", by=by, company=order.company, target=order, details={"activation": new.pk, "reissue": True}
    )
    from products.tasks import send_esim_activation

    enqueue(send_esim_activation, new.pk)
    return new
