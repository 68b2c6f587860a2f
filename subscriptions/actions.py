"""Writes on subscriptions: atomic, validated, one audit event each."""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import bulk_record, record
from audit.models import AuditEvent
from common import formats
from invoicing.actions import add_charge
from jobs.queue import enqueue
from numbering.actions import create_subscription_port_request
from numbering.porting import OPERATOR_LABELS
from subscriptions import crypto
from subscriptions.models import (
    BLOCK_FIELDS,
    AddOn,
    BulkJob,
    NumberPool,
    OneOffFee,
    Product,
    SimOrder,
    Subscription,
)
from subscriptions.tasks import apply_bulk_job, provision_subscription

logger = logging.getLogger(__name__)

OPEN = [Subscription.Status.PENDING_ACTIVE, Subscription.Status.ACTIVE, Subscription.Status.SUSPENDED]
DETAIL_FIELDS = ["user_name", "email", "cost_centre", "salary_number", "invoice_note"]


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def earliest_cancel_date(sub: Subscription, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    if sub.status == Subscription.Status.PENDING_ACTIVE:
        return today
    earliest = today + datetime.timedelta(days=sub.product.notice_days)
    if sub.binding_end and sub.binding_end > earliest:
        earliest = sub.binding_end
    return earliest


# One-off fees of the catalogue (codes as in subscriptions/catalogue.py).
SETUP_FEE, SIM_FEE, ESIM_FEE, REPLACEMENT_FEE = "oprettelse", "sim-kort", "esim", "sim-erstatning"


def guide_fees(sim_choice: str) -> list[OneOffFee]:
    """The one-off fees of a new subscription: the set-up fee, plus a shipped SIM card or an eSIM profile.

    The guide's summary shows exactly these, and ``create_subscription`` charges them."""
    codes = {"ship": [SIM_FEE], "esim": [ESIM_FEE]}.get(sim_choice, [])
    return list(OneOffFee.objects.filter(code__in=[SETUP_FEE, *codes]).order_by("code"))


def sim_order_fee(kind: str) -> OneOffFee | None:
    """The fee for a lost-SIM order: the replacement SIM, or the eSIM profile when moving to eSIM."""
    code = ESIM_FEE if kind == SimOrder.Kind.ESIM else REPLACEMENT_FEE
    return OneOffFee.objects.filter(code=code).first()


def _charge_fees(sub: Subscription, fees: Iterable[OneOffFee], *, by: Actor) -> list[int]:
    """Records the fees as invoicing charges (same transaction); a fee of 0 kr has nothing to invoice."""
    return [add_charge(subscription=sub, fee=fee, by=by).pk for fee in fees if fee.price > 0]


def _locked(sub: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().select_related("product", "company").get(pk=sub.pk)


@transaction.atomic
def change_details(sub: Subscription, *, data: dict[str, str], by: Actor) -> Subscription:
    sub = _locked(sub)
    changes = {f: [getattr(sub, f), data[f]] for f in DETAIL_FIELDS if f in data and getattr(sub, f) != data[f]}
    if not changes:
        return sub
    for name, (_old, new) in changes.items():
        setattr(sub, name, new)
    sub.save()
    record("subscription.details_changed", by=by, company=sub.company, target=sub, details={"changes": changes})
    return sub


@dataclass
class ProductChange:
    target: Product
    effective: str  # "now" or "next_period"
    effective_date: datetime.date
    difference: int  # øre per month, excl. VAT
    dropped_add_ons: list[AddOn] = field(default_factory=list)


def preview_product_change(sub: Subscription, *, target: Product, effective: str) -> ProductChange:
    if not sub.is_open:
        raise ValidationError(_("Only a running subscription can change type."))
    if not sub.product.allowed_changes.filter(pk=target.pk).exists():
        raise ValidationError(
            _("%(target)s is not an allowed change from %(current)s.")
            % {"target": target.display_name, "current": sub.product.display_name}
        )
    today = timezone.localdate()
    when = today if effective == "now" else first_of_next_month(today)
    dropped = [a for a in sub.add_ons.all() if not a.products.filter(pk=target.pk).exists()]
    return ProductChange(target, effective, when, target.monthly_price - sub.product.monthly_price, dropped)


@transaction.atomic
def change_product(sub: Subscription, *, target: Product, effective: str, by: Actor) -> ProductChange:
    sub = _locked(sub)
    change = preview_product_change(sub, target=target, effective=effective)
    old = sub.product
    details = {
        "from": old.code,
        "to": target.code,
        "effective": change.effective_date.isoformat(),
        "difference_ore": change.difference,
    }
    if effective == "now":
        sub.product = target
        sub.scheduled_product = None
        sub.scheduled_product_date = None
        if change.dropped_add_ons:
            sub.add_ons.remove(*change.dropped_add_ons)
            details["dropped_add_ons"] = [a.code for a in change.dropped_add_ons]
        sub.save()
        record("subscription.product_changed", by=by, company=sub.company, target=sub, details=details)
    else:
        sub.scheduled_product = target
        sub.scheduled_product_date = change.effective_date
        sub.save()
        record("subscription.product_change_scheduled", by=by, company=sub.company, target=sub, details=details)
    return change


@transaction.atomic
def cancel(sub: Subscription, *, on: datetime.date, reason: str, by: Actor) -> Subscription:
    sub = _locked(sub)
    if not sub.is_open:
        raise ValidationError(_("This subscription is already cancelled."))
    earliest = earliest_cancel_date(sub)
    if on < earliest:
        raise ValidationError(_("The earliest possible date is %(date)s.") % {"date": formats.date(earliest)})
    if not reason.strip():
        raise ValidationError(_("Give a reason for the cancellation."))
    sub.end_date = on
    sub.cancel_reason = reason.strip()
    sub.status = (
        Subscription.Status.CANCELLED
        if sub.status == Subscription.Status.PENDING_ACTIVE
        else Subscription.Status.PENDING_TERMINATE
    )
    was_pending = sub.status == Subscription.Status.CANCELLED
    sub.save()
    record(
        "subscription.cancelled",
        by=by,
        company=sub.company,
        target=sub,
        details={"end_date": on.isoformat(), "reason": sub.cancel_reason},
    )
    if was_pending and sub.port_in_requested:
        # Cancelled before start: the number transfer it waited for is cancelled too (refused once scheduled).
        from numbering.actions import cancel_port_request
        from numbering.models import PortRequest

        for port_request in PortRequest.objects.select_for_update().filter(
            subscription=sub,
            status__in=[
                PortRequest.Status.SUBMITTED,
                PortRequest.Status.PENDING,
                PortRequest.Status.REJECTED,
                PortRequest.Status.DRAFT,
            ],
        ):
            cancel_port_request(port_request, reason=_("The subscription was cancelled"), by=by)
        if sub.port_requests.filter(status=PortRequest.Status.SCHEDULED).exists():
            raise ValidationError(_("The number transfer is already scheduled. Contact us to stop it."))
    return sub


@transaction.atomic
def withdraw_cancellation(sub: Subscription, *, by: Actor) -> Subscription:
    sub = _locked(sub)
    if sub.status != Subscription.Status.PENDING_TERMINATE or (sub.end_date and sub.end_date < timezone.localdate()):
        raise ValidationError(_("There is no pending cancellation to withdraw."))
    old_date = sub.end_date
    # A subscription cancelled while suspended goes back to suspended (its reason and date are kept).
    sub.status = Subscription.Status.SUSPENDED if sub.suspended_on else Subscription.Status.ACTIVE
    sub.end_date = None
    sub.cancel_reason = ""
    sub.save()
    record(
        "subscription.cancellation_withdrawn",
        by=by,
        company=sub.company,
        target=sub,
        details={"end_date": old_date.isoformat() if old_date else None},
    )
    return sub


# Add-ons ---------------------------------------------------------------------


@dataclass
class AddOnChange:
    added: list[AddOn]
    removed: list[AddOn]
    old_total: int  # øre per month, excl. VAT
    new_total: int

    @property
    def difference(self) -> int:
        return self.new_total - self.old_total


def allowed_add_ons(sub: Subscription) -> list[AddOn]:
    """What the subscription's type offers now, plus what it already has (kept even if no longer sold)."""
    current = set(sub.add_ons.values_list("pk", flat=True))
    offered = AddOn.objects.filter(products=sub.product, is_active=True).values_list("pk", flat=True)
    return list(AddOn.objects.filter(pk__in=current | set(offered)).order_by("name"))


def preview_add_ons(sub: Subscription, *, add_ons: Iterable[AddOn]) -> AddOnChange:
    if not sub.is_open:
        raise ValidationError(_("Only a running subscription can change its add-ons."))
    current = {a.pk: a for a in sub.add_ons.all()}
    wanted = {a.pk: a for a in add_ons}
    added = [a for pk, a in wanted.items() if pk not in current]
    removed = [a for pk, a in current.items() if pk not in wanted]
    offered = set(AddOn.objects.filter(products=sub.product, is_active=True).values_list("pk", flat=True))
    wrong = [a.display_name for a in added if a.pk not in offered]
    if wrong:
        raise ValidationError(
            _("Not available on %(product)s: %(add_ons)s.")
            % {"product": sub.product.display_name, "add_ons": ", ".join(sorted(wrong))}
        )
    if not added and not removed:
        raise ValidationError(_("Nothing to change: tick or untick at least one add-on."))
    old_total = sub.product.monthly_price + sum(a.monthly_price for a in current.values())
    new_total = sub.product.monthly_price + sum(a.monthly_price for a in wanted.values())
    key = lambda a: a.display_name  # noqa: E731
    return AddOnChange(sorted(added, key=key), sorted(removed, key=key), old_total, new_total)


@transaction.atomic
def change_add_ons(sub: Subscription, *, add_ons: Iterable[AddOn], by: Actor) -> AddOnChange:
    """Adds and removes add-ons at once; the next billing run bills the new set."""
    sub = _locked(sub)
    change = preview_add_ons(sub, add_ons=add_ons)
    if change.added:
        sub.add_ons.add(*change.added)
    if change.removed:
        sub.add_ons.remove(*change.removed)
    sub.save(update_fields=["updated_at"])
    record(
        "subscription.add_ons_changed",
        by=by,
        company=sub.company,
        target=sub,
        details={
            "added": [a.code for a in change.added],
            "removed": [a.code for a in change.removed],
            "difference_ore": change.difference,
        },
    )
    return change


# Service blocks and suspension ------------------------------------------------


@transaction.atomic
def set_blocks(sub: Subscription, *, blocks: dict[str, bool], by: Actor) -> dict[str, list[bool]]:
    """Turns service blocks on or off; returns the changes (field: [old, new]), one audit event for them."""
    sub = _locked(sub)
    if not sub.is_open or not sub.is_mobile:
        raise ValidationError(_("Only a running mobile subscription has service blocks."))
    unknown = set(blocks) - set(BLOCK_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown service block."))
    changes = {f: [getattr(sub, f), bool(v)] for f, v in blocks.items() if getattr(sub, f) != bool(v)}
    if not changes:
        return changes
    for name, (_old, new) in changes.items():
        setattr(sub, name, new)
    sub.save(update_fields=[*changes, "updated_at"])
    record("subscription.blocks_changed", by=by, company=sub.company, target=sub, details={"changes": changes})
    return changes


@transaction.atomic
def suspend(sub: Subscription, *, reason: str, by: Actor) -> Subscription:
    """Suspends an active subscription (e.g. an employee on leave); it keeps its number and SIM."""
    sub = _locked(sub)
    if sub.status != Subscription.Status.ACTIVE:
        raise ValidationError(
            _("Only an active subscription can be suspended. This one is: %(status)s.")
            % {"status": sub.get_status_display()}
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Give a reason for the suspension."))
    sub.status = Subscription.Status.SUSPENDED
    sub.suspend_reason = reason[:200]
    sub.suspended_on = timezone.localdate()
    sub.save(update_fields=["status", "suspend_reason", "suspended_on", "updated_at"])
    record("subscription.suspended", by=by, company=sub.company, target=sub, details={"reason": sub.suspend_reason})
    return sub


@transaction.atomic
def resume(sub: Subscription, *, by: Actor) -> Subscription:
    sub = _locked(sub)
    if sub.status != Subscription.Status.SUSPENDED:
        raise ValidationError(
            _("Only a suspended subscription can be resumed. This one is: %(status)s.")
            % {"status": sub.get_status_display()}
        )
    details = {
        "suspended_on": sub.suspended_on.isoformat() if sub.suspended_on else None,
        "suspend_reason": sub.suspend_reason,
    }
    sub.status = Subscription.Status.ACTIVE
    sub.suspend_reason = ""
    sub.suspended_on = None
    sub.save(update_fields=["status", "suspend_reason", "suspended_on", "updated_at"])
    record("subscription.resumed", by=by, company=sub.company, target=sub, details=details)
    return sub


def reveal_secrets(sub: Subscription, *, by: Actor) -> dict[str, str]:
    """PIN and PUK in clear text, audited; at most SECRET_REVEAL_LIMIT per admin per window
    (a refusal is audited too, outside the refused transaction so it stays)."""
    if not sub.is_mobile:
        raise ValidationError(_("This subscription has no SIM."))
    since = timezone.now() - datetime.timedelta(seconds=settings.SECRET_REVEAL_WINDOW)
    with transaction.atomic():
        recent = (
            AuditEvent.objects.filter(
                actor=by.user, action="subscription.secret_revealed", created_at__gte=since
            ).count()
            if by.user is not None
            else 0
        )
        if recent >= settings.SECRET_REVEAL_LIMIT:
            record(
                "subscription.secret_reveal_refused",
                by=by,
                company=sub.company,
                target=sub,
                details={"limit": settings.SECRET_REVEAL_LIMIT, "window": settings.SECRET_REVEAL_WINDOW},
            )
            refused = True
        else:
            record(
                "subscription.secret_revealed", by=by, company=sub.company, target=sub, details={"what": ["pin", "puk"]}
            )
            refused = False
    if refused:
        raise ValidationError(
            _("You have viewed PIN and PUK %(count)s times in a short while; please try again later."),
            code="reveal_limit",
            params={"count": settings.SECRET_REVEAL_LIMIT},
        )
    try:
        return {"pin": crypto.decrypt_strict(sub.pin_encrypted), "puk": crypto.decrypt_strict(sub.puk_encrypted)}
    except crypto.UndecryptableSecret:
        # A key was removed or changed (FIELD_ENCRYPTION_KEYS): say so, never show a blank as if it were the PIN.
        logger.error("PIN/PUK of subscription %s cannot be decrypted with FIELD_ENCRYPTION_KEYS", sub.pk)
        return {
            "error": _(
                "The PIN and PUK cannot be shown: they cannot be decrypted right now. "
                "Please contact us, we have been notified."
            )
        }


def _new_sim_secrets(sub: Subscription) -> None:
    sub.pin = f"{secrets.randbelow(10000):04d}"
    sub.puk = f"{secrets.randbelow(100000000):08d}"


@transaction.atomic
def order_sim(sub: Subscription, *, kind: str, ship_to: str, reason: str, by: Actor) -> SimOrder:
    """Blocks the current SIM at once and orders a replacement SIM or an eSIM."""
    sub = _locked(sub)
    if not sub.is_open or not sub.is_mobile:
        raise ValidationError(_("Only a running mobile subscription can get a new SIM."))
    if kind == SimOrder.Kind.REPLACEMENT and not ship_to.strip():
        raise ValidationError(_("Give the address the new SIM card should be sent to."))
    order = SimOrder.objects.create(
        company=sub.company,
        subscription=sub,
        kind=kind,
        blocked_iccid=sub.iccid,
        ship_to=ship_to.strip(),
        reason=reason.strip(),
    )
    old_iccid = sub.iccid
    sub.sim_blocked = True
    if kind == SimOrder.Kind.ESIM:
        # The eSIM profile is issued at once: a new ICCID, unblocked.
        from subscriptions.identifiers import iccid_with_check

        sub.sim_type = Subscription.SimType.ESIM
        sub.iccid = iccid_with_check("894502" + f"{secrets.randbelow(10**12):012d}")
        sub.sim_blocked = False
        _new_sim_secrets(sub)
    sub.save()
    fee = sim_order_fee(kind)
    charges = _charge_fees(sub, [fee] if fee else [], by=by)
    action = "subscription.moved_to_esim" if kind == SimOrder.Kind.ESIM else "subscription.sim_replaced"
    record(
        action,
        by=by,
        company=sub.company,
        target=sub,
        details={"blocked_iccid": old_iccid, "order": order.pk, "reason": order.reason, "charges": charges},
    )
    return order


@transaction.atomic
def activate_after_port(
    sub: Subscription, *, port_request: str, by: Actor, on: datetime.date | None = None
) -> Subscription:
    """Activates a subscription that waited for its number transfer; it is billed from the day the number moved."""
    sub = _locked(sub)
    if sub.status != Subscription.Status.PENDING_ACTIVE or not sub.port_in_requested:
        raise ValidationError(_("Only a new subscription waiting for its number transfer can be activated this way."))
    sub.status = Subscription.Status.ACTIVE
    sub.start_date = on or timezone.localdate()
    if sub.product.binding_months:
        sub.binding_end = sub.start_date + datetime.timedelta(days=30 * sub.product.binding_months)
    sub.save(update_fields=["status", "start_date", "binding_end", "updated_at"])
    record(
        "subscription.activated",
        by=by,
        company=sub.company,
        target=sub,
        details={"port_request": port_request, "start_date": sub.start_date.isoformat()},
    )
    return sub


@dataclass
class NewSubscription:
    user_name: str
    email: str
    cost_centre: str
    product: Product
    add_ons: list[AddOn]
    number_choice: str  # "pool" or "port"
    phone_number: str
    port_operator: str
    sim_choice: str  # "physical", "ship", "esim", "" for landlines
    iccid: str
    ship_to: str
    # Keeping a number from another operator: the holder's consent, given in the guide's number step.
    port_signed_name: str = ""
    port_signed_at: datetime.datetime | None = None
    port_signed_ip: str | None = None


def _made_by(company, order_token: str) -> Subscription | None:  # type: ignore[no-untyped-def]
    """The subscription an order (the guide's idempotency token) created, if a concurrent request committed it."""
    return Subscription.objects.filter(company=company, order_token=order_token).first()


@transaction.atomic
def create_subscription(*, company, data: NewSubscription, order_token: str, by: Actor) -> Subscription:  # type: ignore[no-untyped-def]
    existing = Subscription.objects.filter(company=company, order_token=order_token).first()
    if existing is not None:
        return existing
    if data.number_choice == "pool":
        taken = NumberPool.objects.filter(phone_number=data.phone_number, reserved_for__isnull=True).update(
            reserved_for=company, taken_at=timezone.now()
        )
        if not taken and (done := _made_by(company, order_token)) is not None:
            return done  # a double click: the other request took the number for this very order
        if not taken:
            raise ValidationError(
                _("The number %(number)s was just taken. Choose another.") % {"number": data.phone_number}
            )
    elif (
        Subscription.objects.filter(phone_number=data.phone_number)
        .exclude(status__in=[Subscription.Status.TERMINATED, Subscription.Status.CANCELLED])
        .exists()
    ):
        if (done := _made_by(company, order_token)) is not None:
            return done  # a double click: the other request created this order's subscription
        raise ValidationError(_("The number %(number)s is already in use.") % {"number": data.phone_number})
    sub = Subscription(
        company=company,
        user_name=data.user_name,
        email=data.email,
        cost_centre=data.cost_centre,
        product=data.product,
        phone_number=data.phone_number,
        start_date=timezone.localdate(),
        status=Subscription.Status.PENDING_ACTIVE,
        order_token=order_token,
        port_in_requested=data.number_choice == "port",
        port_in_operator=OPERATOR_LABELS.get(data.port_operator, data.port_operator)[:80],
    )
    if data.product.binding_months:
        sub.binding_end = sub.start_date + datetime.timedelta(days=30 * data.product.binding_months)
    if data.sim_choice:
        from subscriptions.identifiers import iccid_with_check

        sub.sim_type = Subscription.SimType.ESIM if data.sim_choice == "esim" else Subscription.SimType.PHYSICAL
        sub.iccid = data.iccid or iccid_with_check("894503" + f"{secrets.randbelow(10**12):012d}")
        _new_sim_secrets(sub)
    try:
        with transaction.atomic():
            sub.save()
    except IntegrityError:
        # A concurrent double submit won the race: answer with its subscription.
        return Subscription.objects.get(company=company, order_token=order_token)
    sub.add_ons.set(data.add_ons)
    if data.sim_choice == "ship":
        SimOrder.objects.create(company=company, subscription=sub, kind=SimOrder.Kind.NEW, ship_to=data.ship_to)
    port_request = None
    if data.number_choice == "port":
        # The number transfer: a port request in the Numbers area, submitted to the operator's staff.
        port_request = create_subscription_port_request(
            subscription=sub,
            number=data.phone_number,
            current_operator=data.port_operator,
            signed_name=data.port_signed_name,
            signed_at=data.port_signed_at,
            signed_ip=data.port_signed_ip,
            by=by,
        )
    # The one-off fees of the summary go on the company's next invoice (issue 5).
    charges = _charge_fees(sub, guide_fees(data.sim_choice), by=by)
    record(
        "subscription.created",
        by=by,
        company=company,
        target=sub,
        details={
            "product": data.product.code,
            "add_ons": [a.code for a in data.add_ons],
            "number": data.number_choice,
            "sim": data.sim_choice,
            "port_in": data.number_choice == "port",
            "port_request": port_request.reference if port_request else None,
            "charges": charges,
        },
    )
    enqueue(provision_subscription, sub.pk)
    return sub


# Bulk update ---------------------------------------------------------------


@dataclass
class BulkPreview:
    action: str
    changeable: list[int]
    blocked: list[tuple[Subscription, str]]
    sample: list[Subscription]
    total: int
    labels: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def token(self) -> str:
        return hashlib.sha256(",".join(map(str, self.changeable)).encode()).hexdigest()


def _bulk_split(qs, *, action: str, target: Product | None, on: datetime.date | None):  # type: ignore[no-untyped-def]
    """Splits a selection into what the action can change and what it cannot (and why), in one pass."""
    changeable: list[int] = []
    blocked: list[tuple[int, str]] = []
    labels: dict[int, str] = {}
    today = timezone.localdate()
    sources: set[int] = set()
    if action == "change_product" and target is not None:
        sources = set(Product.objects.filter(allowed_changes=target).values_list("pk", flat=True))
    notice = {
        pk: today + datetime.timedelta(days=days) for pk, days in Product.objects.values_list("pk", "notice_days")
    }
    already_cancelled, same_type, not_allowed = (
        _("already cancelled"),
        _("already has this type"),
        _("not an allowed upgrade or downgrade"),
    )
    open_statuses = set(OPEN)
    waiting_for_port = _("waiting for its number to be transferred: cancel it on its own page")
    rows = qs.order_by().values_list(
        "pk", "status", "product_id", "binding_end", "user_name", "phone_number", "port_in_requested"
    )
    for pk, status, product_id, binding_end, name, phone, porting in rows.iterator(chunk_size=5000):
        labels[pk] = f"{name} ({phone})" if phone else name
        if status not in open_statuses:
            blocked.append((pk, already_cancelled))
        elif action == "cancel" and porting and status == Subscription.Status.PENDING_ACTIVE:
            # Its port request must be cancelled with it, which the single cancel does.
            blocked.append((pk, waiting_for_port))
        elif action == "cancel":
            if status == Subscription.Status.PENDING_ACTIVE:
                earliest = today
            else:
                earliest = notice[product_id]
                if binding_end and binding_end > earliest:
                    earliest = binding_end
            if on is None or on < earliest:
                blocked.append((pk, _("earliest possible date is %(date)s") % {"date": formats.date(earliest)}))
            else:
                changeable.append(pk)
        elif action == "change_product":
            if product_id == getattr(target, "pk", None):
                blocked.append((pk, same_type))
            elif product_id not in sources:
                blocked.append((pk, not_allowed))
            else:
                changeable.append(pk)
        else:
            changeable.append(pk)
    return sorted(changeable), blocked, labels


def preview_bulk(
    qs,
    *,
    action: str,
    target: Product | None = None,
    on: datetime.date | None = None,  # type: ignore[no-untyped-def]
    sample_size: int = 20,
) -> BulkPreview:
    changeable, blocked, labels = _bulk_split(qs, action=action, target=target, on=on)
    sample = list(Subscription.objects.filter(pk__in=changeable[:sample_size]).select_related("product"))
    blocked_subs = {
        s.pk: s
        for s in Subscription.objects.filter(pk__in=[pk for pk, _r in blocked[:sample_size]]).select_related("product")
    }
    return BulkPreview(
        action,
        changeable,
        [(blocked_subs[pk], why) for pk, why in blocked[:sample_size]],
        sample,
        len(changeable) + len(blocked),
        labels,
    )


class BulkConflict(ValidationError):
    pass


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


@transaction.atomic
def apply_bulk(
    qs,
    *,
    company,
    action: str,
    token: str,
    by: Actor,
    target: Product | None = None,  # type: ignore[no-untyped-def]
    on: datetime.date | None = None,
    reason: str = "",
    cost_centre: str = "",
) -> int:
    """All or nothing: the set must be what the admin previewed, and every row must still allow the change."""
    if action == "cancel" and not reason.strip():
        raise ValidationError(_("Give a reason for the cancellation."))
    # Lock the rows first (PostgreSQL) so a concurrent bulk update waits and then sees our changes.
    list(qs.select_for_update().order_by("pk").values_list("pk", flat=True))
    preview = preview_bulk(qs, action=action, target=target, on=on, sample_size=0)
    if preview.token != token:
        raise BulkConflict(_("The subscriptions changed since the preview. Review the changes again."))
    if not preview.changeable:
        raise ValidationError(_("Nothing to change."))
    return _write_bulk(
        preview.changeable,
        preview.labels,
        company=company,
        action=action,
        by=by,
        target=target,
        on=on,
        reason=reason,
        cost_centre=cost_centre,
    )


def _write_bulk(
    ids: list[int],
    labels: dict[int, str],
    *,
    company,
    action: str,
    by: Actor,
    target: Product | None,  # type: ignore[no-untyped-def]
    on: datetime.date | None,
    reason: str,
    cost_centre: str,
) -> int:
    """Writes a checked set (inside the caller's transaction, rows locked): conditional updates, one event each."""
    now = timezone.now()
    changed = 0
    base = Subscription.objects.filter(company=company, status__in=OPEN)
    for chunk in _chunks(ids):
        rows = base.filter(pk__in=chunk)
        if action == "cancel":
            changed += rows.update(
                status=Subscription.Status.PENDING_TERMINATE, end_date=on, cancel_reason=reason.strip(), updated_at=now
            )
        elif action == "change_product":
            changed += rows.exclude(product=target).update(
                product=target, scheduled_product=None, scheduled_product_date=None, updated_at=now
            )
        elif action == "cost_centre":
            changed += rows.update(cost_centre=cost_centre, updated_at=now)
    if changed != len(ids):
        # Conditional updates touched fewer rows than previewed: someone else got there first.
        raise BulkConflict(_("The subscriptions changed since the preview. Review the changes again."))
    verb = {
        "cancel": "subscription.cancelled",
        "change_product": "subscription.product_changed",
        "cost_centre": "subscription.cost_centre_changed",
    }[action]
    details: dict[str, Any] = {"bulk": True}
    if action == "cancel":
        details |= {"end_date": on.isoformat() if on else None, "reason": reason.strip()}
    elif action == "change_product" and target is not None:
        details |= {"to": target.code}
    else:
        details |= {"cost_centre": cost_centre}
    bulk_record(
        [
            AuditEvent(
                company=company,
                actor=by.user,
                actor_label=by.display,
                action=verb,
                target_type="subscriptions.subscription",
                target_id=str(pk),
                target_label=labels.get(pk, "")[:255],
                details=details,
                ip_address=by.ip_address,
            )
            for pk in ids
        ]
    )
    return changed


# Large bulk updates run as a task -------------------------------------------


def submit_bulk(
    qs,
    *,
    company,
    action: str,
    token: str,
    by: Actor,
    target: Product | None = None,  # type: ignore[no-untyped-def]
    on: datetime.date | None = None,
    reason: str = "",
    cost_centre: str = "",
) -> int | BulkJob:
    """The "Apply changes" button: a small set is applied at once (returns the count); a larger one
    becomes a BulkJob applied by a task, so no web request does heavy work."""
    values: dict[str, Any] = {"action": action, "target": target, "on": on}
    preview = preview_bulk(qs, **values, sample_size=0)
    if len(preview.changeable) <= settings.SUBSCRIPTIONS_BULK_SYNC_LIMIT:
        return apply_bulk(qs, company=company, token=token, by=by, reason=reason, cost_centre=cost_centre, **values)
    return start_bulk_job(
        preview, company=company, token=token, by=by, reason=reason, cost_centre=cost_centre, target=target, on=on
    )


@transaction.atomic
def start_bulk_job(
    preview: BulkPreview,
    *,
    company,
    token: str,
    by: Actor,
    target: Product | None = None,  # type: ignore[no-untyped-def]
    on: datetime.date | None = None,
    reason: str = "",
    cost_centre: str = "",
) -> BulkJob:
    """Records the previewed set and queues its task in the same transaction (neither exists without the other)."""
    if preview.action == "cancel" and not reason.strip():
        raise ValidationError(_("Give a reason for the cancellation."))
    if preview.token != token:
        raise BulkConflict(_("The subscriptions changed since the preview. Review the changes again."))
    if not preview.changeable:
        raise ValidationError(_("Nothing to change."))
    job = BulkJob.objects.create(
        company=company,
        action=preview.action,
        subscription_ids=preview.changeable,
        end_date=on if preview.action == "cancel" else None,
        reason=reason.strip() if preview.action == "cancel" else "",
        target=target if preview.action == "change_product" else None,
        cost_centre=cost_centre if preview.action == "cost_centre" else "",
        total=len(preview.changeable),
        created_by=by.user,
        created_by_label=by.display,
        ip_address=by.ip_address,
    )
    record(
        "subscription.bulk_queued",
        by=by,
        company=company,
        target=job,
        details={"action": job.action, "subscriptions": job.total},
    )
    enqueue(apply_bulk_job, job.pk)
    return job


def run_bulk_job(job_id: int) -> BulkJob | None:
    """The task's body. Every row is checked again under lock and everything is written in one transaction,
    so the job is done or failed as a whole. A re-run (a worker died after committing) finds the job
    finished under its lock and writes nothing twice."""
    BulkJob.objects.filter(pk=job_id, status=BulkJob.Status.QUEUED).update(
        status=BulkJob.Status.RUNNING, started_at=timezone.now()
    )
    with transaction.atomic():
        jobs = BulkJob.objects.select_for_update(of=("self",)).select_related("company", "target", "created_by")
        job = jobs.filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        by = Actor(user=job.created_by, ip_address=job.ip_address, label=job.created_by_label)
        values: dict[str, Any] = {"action": job.action, "target": job.target, "on": job.end_date}
        try:
            with transaction.atomic():
                changeable, labels = _locked_split(job.subscription_ids, company=job.company, **values)
                if changeable != job.subscription_ids:
                    raise BulkConflict("")
                job.changed = _write_bulk(
                    changeable,
                    labels,
                    company=job.company,
                    by=by,
                    reason=job.reason,
                    cost_centre=job.cost_centre,
                    **values,
                )
        except BulkConflict:
            # Count outside the rolled-back savepoint, for the message on the job page.
            changeable, _labels = _locked_split(job.subscription_ids, company=job.company, **values)
            job.status, job.failure = BulkJob.Status.FAILED, BulkJob.Failure.CONFLICT
            job.conflicts = max(len(job.subscription_ids) - len(changeable), 1)
        else:
            job.status = BulkJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "conflicts", "changed", "finished_at"])
    return job


def fail_bulk_job(job_id: int) -> None:
    """After an unexpected error (the task's transaction rolled back): the job page says so."""
    BulkJob.objects.filter(pk=job_id).exclude(status__in=[BulkJob.Status.DONE, BulkJob.Status.FAILED]).update(
        status=BulkJob.Status.FAILED, failure=BulkJob.Failure.ERROR, finished_at=timezone.now()
    )


def _locked_split(ids: list[int], *, company, action: str, target: Product | None, on: datetime.date | None):  # type: ignore[no-untyped-def]
    """Locks the job's rows (in pk order, chunked for the database's parameter limit) and splits them again."""
    changeable: list[int] = []
    labels: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        rows = Subscription.objects.filter(company=company, pk__in=chunk)
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        ok, _blocked, chunk_labels = _bulk_split(rows, action=action, target=target, on=on)
        changeable += ok
        labels |= chunk_labels
    return sorted(changeable), labels


def apply_due_changes(*, today: datetime.date | None = None, by: Actor) -> tuple[int, int]:
    """Daily roll-over across all companies (explicitly cross-company): scheduled type changes whose
    date has come are applied, and cancelled subscriptions past their last day end. Returns (changed, ended)."""
    today = today or timezone.localdate()
    changed = ended = 0
    due = Subscription.objects.filter(scheduled_product__isnull=False, scheduled_product_date__lte=today)
    for sub in due.select_related("company", "product", "scheduled_product").iterator(chunk_size=500):
        with transaction.atomic():
            old, new = sub.product, sub.scheduled_product
            assert new is not None  # the query asks for scheduled_product__isnull=False
            sub.product, sub.scheduled_product, sub.scheduled_product_date = new, None, None
            sub.save(update_fields=["product", "scheduled_product", "scheduled_product_date", "updated_at"])
            sub.add_ons.remove(*[a for a in sub.add_ons.all() if not a.products.filter(pk=new.pk).exists()])
            record(
                "subscription.product_changed",
                by=by,
                company=sub.company,
                target=sub,
                details={"from": old.code, "to": new.code, "effective": today.isoformat(), "scheduled": True},
            )
            changed += 1
    over = Subscription.objects.filter(status=Subscription.Status.PENDING_TERMINATE, end_date__lt=today)
    for sub in over.select_related("company").iterator(chunk_size=500):
        with transaction.atomic():
            if Subscription.objects.filter(pk=sub.pk, status=Subscription.Status.PENDING_TERMINATE).update(
                status=Subscription.Status.TERMINATED, updated_at=timezone.now()
            ):
                record(
                    "subscription.terminated",
                    by=by,
                    company=sub.company,
                    target=sub,
                    details={"end_date": sub.end_date.isoformat() if sub.end_date else None},
                )
                ended += 1
    return changed, ended
