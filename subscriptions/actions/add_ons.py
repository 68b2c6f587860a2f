"""Add-ons: what a subscription may have, a preview of a change, and the change."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from subscriptions.actions.base import locked
from subscriptions.models import AddOn, Subscription

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
    sub = locked(sub)
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
