"""The catalogue's one-off fees: which a new subscription or a SIM order costs, and charging them."""

from collections.abc import Iterable

from audit.actor import Actor
from registry.events import publish
from subscriptions.events import ChargeDue
from subscriptions.models import OneOffFee, SimOrder, Subscription

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


def charge_fees(sub: Subscription, fees: Iterable[OneOffFee], *, by: Actor) -> list[int]:
    """Announces the fees as due (invoicing records the charges, same transaction); returns the charges' ids.

    A fee of 0 kr has nothing to invoice."""
    due = [publish(ChargeDue(company=sub.company, subscription=sub, fee=fee, by=by)) for fee in fees if fee.price > 0]
    return [facts["charge"] for facts in due if "charge" in facts]
