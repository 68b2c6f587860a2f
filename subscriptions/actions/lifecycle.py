"""A subscription's life: details, type changes, blocks, suspension, activation, cancellation, roll-over."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from common import formats
from registry.events import publish
from registry.scoping import check_cost_centre
from subscriptions.actions.base import DETAIL_FIELDS, earliest_cancel_date, first_of_next_month, locked
from subscriptions.events import ServiceBlocksChanged, SubscriptionActivated, SubscriptionCancelled, status_changed
from subscriptions.models import BLOCK_FIELDS, AddOn, Product, Subscription


@transaction.atomic
def change_details(sub: Subscription, *, data: dict[str, str], by: Actor) -> Subscription:
    if "cost_centre" in data and data["cost_centre"] != sub.cost_centre:
        check_cost_centre(sub.company, data["cost_centre"])  # a limited admin's company object says theirs
    sub = locked(sub)
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
        raise ValidationError(_("Only a running subscription can change type."), code="not_running")
    if not sub.product.allowed_changes.filter(pk=target.pk).exists():
        raise ValidationError(
            _("%(target)s is not an allowed change from %(current)s.")
            % {"target": target.display_name, "current": sub.product.display_name},
            code="change_not_allowed",
        )
    today = timezone.localdate()
    when = today if effective == "now" else first_of_next_month(today)
    dropped = [a for a in sub.add_ons.all() if not a.products.filter(pk=target.pk).exists()]
    return ProductChange(target, effective, when, target.monthly_price - sub.product.monthly_price, dropped)


@transaction.atomic
def change_product(sub: Subscription, *, target: Product, effective: str, by: Actor) -> ProductChange:
    sub = locked(sub)
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
    sub = locked(sub)
    if not sub.is_open:
        raise ValidationError(_("This subscription is already cancelled."), code="already_cancelled")
    earliest = earliest_cancel_date(sub)
    if on < earliest:
        raise ValidationError(
            _("The earliest possible date is %(date)s.") % {"date": formats.date(earliest)}, code="date_too_early"
        )
    if not reason.strip():
        raise ValidationError(_("Give a reason for the cancellation."), code="reason_required")
    sub.end_date = on
    sub.cancel_reason = reason.strip()
    old_status = sub.status
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
    # Cancelled before start, the Numbers area cancels the number transfer it waited for (or refuses: rolled back).
    publish(SubscriptionCancelled(subscription=sub, before_start=was_pending, by=by))
    status_changed(sub, old=old_status, by=by)
    return sub


@transaction.atomic
def withdraw_cancellation(sub: Subscription, *, by: Actor) -> Subscription:
    sub = locked(sub)
    if sub.status != Subscription.Status.PENDING_TERMINATE or (sub.end_date and sub.end_date < timezone.localdate()):
        raise ValidationError(_("There is no pending cancellation to withdraw."), code="not_cancelled")
    old_date, old_status = sub.end_date, sub.status
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
    status_changed(sub, old=old_status, by=by)
    return sub


# Service blocks and suspension ------------------------------------------------


@transaction.atomic
def set_blocks(sub: Subscription, *, blocks: dict[str, bool], by: Actor) -> dict[str, list[bool]]:
    """Turns service blocks on or off; returns the changes (field: [old, new]), one audit event for them."""
    sub = locked(sub)
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
    publish(ServiceBlocksChanged(subscription=sub, changes=changes, by=by))
    return changes


@transaction.atomic
def suspend(sub: Subscription, *, reason: str, by: Actor) -> Subscription:
    """Suspends an active subscription (e.g. an employee on leave); it keeps its number and SIM."""
    sub = locked(sub)
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
    status_changed(sub, old=Subscription.Status.ACTIVE, by=by)
    return sub


@transaction.atomic
def resume(sub: Subscription, *, by: Actor) -> Subscription:
    sub = locked(sub)
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
    status_changed(sub, old=Subscription.Status.SUSPENDED, by=by)
    return sub


@transaction.atomic
def activate_after_port(
    sub: Subscription, *, port_request: str, by: Actor, on: datetime.date | None = None
) -> Subscription:
    """Activates a subscription that waited for its number transfer; it is billed from the day the number moved."""
    sub = locked(sub)
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
    publish(SubscriptionActivated(subscription=sub, port_request=port_request, by=by))
    status_changed(sub, old=Subscription.Status.PENDING_ACTIVE, by=by)
    return sub


def apply_due_changes(*, today: datetime.date | None = None, by: Actor) -> tuple[int, int]:
    """Daily roll-over across all companies (explicitly cross-company): scheduled type changes whose
    date has come are applied, and cancelled subscriptions past their last day end. Returns (changed, ended)."""
    today = today or timezone.localdate()
    changed = ended = 0
    due = Subscription.objects.unscoped().filter(scheduled_product__isnull=False, scheduled_product_date__lte=today)
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
    over = Subscription.objects.unscoped().filter(status=Subscription.Status.PENDING_TERMINATE, end_date__lt=today)
    for sub in over.select_related("company").iterator(chunk_size=500):
        with transaction.atomic():
            if (
                Subscription.objects.unscoped()
                .filter(pk=sub.pk, status=Subscription.Status.PENDING_TERMINATE)
                .update(status=Subscription.Status.TERMINATED, updated_at=timezone.now())
            ):
                record(
                    "subscription.terminated",
                    by=by,
                    company=sub.company,
                    target=sub,
                    details={"end_date": sub.end_date.isoformat() if sub.end_date else None},
                )
                sub.status = Subscription.Status.TERMINATED
                status_changed(sub, old=Subscription.Status.PENDING_TERMINATE, by=by)
                ended += 1
    return changed, ended
