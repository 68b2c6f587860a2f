"""What happens to subscriptions, told to the areas above (``registry.events``).

Subscriptions is the lowest area: it publishes these and never calls numbering or invoicing.
Numbering subscribes to ``SubscriptionCreated`` (the port request of a kept number) and
``SubscriptionCancelled`` (its open port requests are cancelled too); invoicing subscribes to
``ChargeDue`` (the charge on the next invoice). Handlers run in the publisher's transaction.
"""

import datetime
from dataclasses import dataclass

from audit.actor import Actor
from companies.models import Company
from registry.events import Event, publish
from subscriptions.models import OneOffFee, Subscription


@dataclass(frozen=True, kw_only=True)
class PortIn:
    """Keeping a number from another operator, as the guide's number step took it."""

    number: str
    operator: str  # a key of common.telecom.OPERATORS
    signed_name: str  # the holder's consent: the typed name, when and from where
    signed_at: datetime.datetime | None = None
    signed_ip: str | None = None


@dataclass(frozen=True, kw_only=True)
class SubscriptionCreated(Event):
    """A new subscription (pending); ``port_in`` when its number is to be transferred to us.

    Handlers may report ``{"port_request": reference}`` for the creation's audit record."""

    subscription: Subscription
    port_in: PortIn | None
    by: Actor


@dataclass(frozen=True, kw_only=True)
class SubscriptionActivated(Event):
    """A subscription that waited for its number transfer is active (billed from ``subscription.start_date``)."""

    subscription: Subscription
    port_request: str
    by: Actor


@dataclass(frozen=True, kw_only=True)
class SubscriptionCancelled(Event):
    """A subscription was cancelled; ``before_start`` when it never became active (status cancelled)."""

    subscription: Subscription
    before_start: bool
    by: Actor


@dataclass(frozen=True, kw_only=True)
class ChargeDue(Event):
    """A one-off amount to bill the company on its next invoice: a catalogue fee, or any line with a
    description and an amount (øre, excl. VAT). ``subscription`` is optional: a charge need not belong
    to one. Handlers report ``{"charge": id}``."""

    company: Company
    by: Actor
    subscription: Subscription | None = None
    fee: OneOffFee | None = None
    description: str = ""
    amount: int | None = None
    on: datetime.date | None = None
    source: str = ""  # the caller's key for the charge, to withdraw it later (invoicing.events.ChargesWithdrawn)


@dataclass(frozen=True, kw_only=True)
class SubscriptionStatusChanged(Event):
    """Subscriptions moved from one status to another (one, or many from a bulk change; same company).

    ``changes`` holds (subscription id, old status, new status). Published in the change's transaction."""

    company_id: int
    changes: tuple[tuple[int, str, str], ...]
    by: Actor


def status_changed(sub: Subscription, *, old: str, by: Actor) -> None:
    """Tells the areas above that ``sub`` left ``old`` (in the caller's transaction); nothing when unchanged."""
    if old != sub.status:
        publish(SubscriptionStatusChanged(company_id=sub.company_id, changes=((sub.pk, old, sub.status),), by=by))


@dataclass(frozen=True, kw_only=True)
class ServiceBlocksChanged(Event):
    """Service blocks were switched on or off (``changes``: field -> [old, new]); ``by`` says whose hand
    (an admin on the profile, or a system actor such as the guardrails)."""

    subscription: Subscription
    changes: dict[str, list[bool]]
    by: Actor
