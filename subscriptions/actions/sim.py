"""The SIM: revealing PIN and PUK (rate-limited, audited) and ordering a replacement SIM or an eSIM."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from audit.models import AuditEvent
from subscriptions import crypto
from subscriptions.actions.base import locked
from subscriptions.actions.fees import charge_fees, sim_order_fee
from subscriptions.models import SimOrder, Subscription

logger = logging.getLogger(__name__)


def reveal_secrets(sub: Subscription, *, by: Actor) -> dict[str, str]:
    """PIN and PUK in clear text, audited; at most SECRET_REVEAL_LIMIT per admin per window
    (a refusal is audited too, outside the refused transaction so it stays)."""
    if not sub.is_mobile:
        raise ValidationError(_("This subscription has no SIM."))
    since = timezone.now() - datetime.timedelta(seconds=settings.SECRET_REVEAL_WINDOW)
    with transaction.atomic():
        # An employee revealing their own PIN (no user; their proven address is the label) is limited alike.
        who = {"actor": by.user} if by.user is not None else {"actor__isnull": True, "actor_label": by.label}
        recent = (
            AuditEvent.objects.unscoped()
            .filter(**who, action="subscription.secret_revealed", created_at__gte=since)
            .count()
            if by.user is not None or by.label
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


def new_sim_secrets(sub: Subscription) -> None:
    sub.pin = f"{secrets.randbelow(10000):04d}"
    sub.puk = f"{secrets.randbelow(100000000):08d}"


@transaction.atomic
def order_sim(sub: Subscription, *, kind: str, ship_to: str, reason: str, by: Actor) -> SimOrder:
    """Blocks the current SIM at once and orders a replacement SIM or an eSIM."""
    sub = locked(sub)
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
        new_sim_secrets(sub)
    sub.save()
    fee = sim_order_fee(kind)
    charges = charge_fees(sub, [fee] if fee else [], by=by)
    action = "subscription.moved_to_esim" if kind == SimOrder.Kind.ESIM else "subscription.sim_replaced"
    record(
        action,
        by=by,
        company=sub.company,
        target=sub,
        details={"blocked_iccid": old_iccid, "order": order.pk, "reason": order.reason, "charges": charges},
    )
    return order
