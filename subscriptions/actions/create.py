"""A new subscription from the guide: idempotent per order token, its number, SIM and fees."""

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from common.telecom import OPERATOR_LABELS
from companies.models import Company
from jobs.queue import enqueue
from registry.events import publish
from registry.scoping import check_cost_centre
from subscriptions.actions.fees import charge_fees, guide_fees
from subscriptions.actions.sim import new_sim_secrets
from subscriptions.events import PortIn, SubscriptionCreated
from subscriptions.models import AddOn, NumberPool, Product, SimOrder, Subscription
from subscriptions.tasks import provision_subscription


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


def _made_by(company: Company, order_token: str) -> Subscription | None:
    """The subscription an order (the guide's idempotency token) created, if a concurrent request committed it."""
    return Subscription.objects.filter(company=company, order_token=order_token).first()


@transaction.atomic
def create_subscription(*, company: Company, data: NewSubscription, order_token: str, by: Actor) -> Subscription:
    existing = Subscription.objects.filter(company=company, order_token=order_token).first()
    if existing is not None:
        return existing
    check_cost_centre(company, data.cost_centre)  # a limited admin creates subscriptions only in theirs
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
        Subscription.objects.unscoped()
        .filter(phone_number=data.phone_number)
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
        new_sim_secrets(sub)
    try:
        with transaction.atomic():
            sub.save()
    except IntegrityError:
        # A concurrent double submit won the race: answer with its subscription.
        return Subscription.objects.get(company=company, order_token=order_token)
    sub.add_ons.set(data.add_ons)
    if data.sim_choice == "ship":
        SimOrder.objects.create(company=company, subscription=sub, kind=SimOrder.Kind.NEW, ship_to=data.ship_to)
    port_in = None
    if data.number_choice == "port":
        # The number transfer: the Numbers area creates the port request, submitted to the operator's staff.
        port_in = PortIn(
            number=data.phone_number,
            operator=data.port_operator,
            signed_name=data.port_signed_name,
            signed_at=data.port_signed_at,
            signed_ip=data.port_signed_ip,
        )
    facts = publish(SubscriptionCreated(subscription=sub, port_in=port_in, by=by))
    # The one-off fees of the summary go on the company's next invoice (issue 5).
    charges = charge_fees(sub, guide_fees(data.sim_choice), by=by)
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
            "port_request": facts.get("port_request"),
            "charges": charges,
        },
    )
    enqueue(provision_subscription, sub.pk)
    return sub
