"""Subscriptions tells the areas above what happened (registry.events, issue 11): it never calls them.

Handlers run in the publisher's transaction, so a refusing handler leaves nothing half done, and the
numbering → subscriptions → numbering bounce of a cancellation cannot loop: the Numbers area's handler
only cancels port requests, it never cancels the subscription again."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.models import Charge
from numbering import actions as numbering_actions
from numbering.models import PortRequest
from registry import events
from subscriptions import actions
from subscriptions.catalogue import ensure_catalogue
from subscriptions.events import SubscriptionCreated
from subscriptions.models import NumberPool, Subscription

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class Happened(events.Event):
    what: str


@pytest.fixture
def listen():
    added: list[tuple[type[events.Event], events.Handler]] = []

    def add(event_type, handler):
        events.subscribe(event_type, handler)
        added.append((event_type, handler))

    yield add
    for event_type, handler in added:
        events.unsubscribe(event_type, handler)


def test_handlers_run_in_order_and_their_facts_are_merged(listen):
    seen = []
    listen(Happened, lambda e: seen.append(("first", e.what)) or {"a": 1})
    listen(Happened, lambda e: seen.append(("second", e.what)) or None)

    assert events.publish(Happened(what="x")) == {"a": 1}
    assert seen == [("first", "x"), ("second", "x")]


def test_subscribing_twice_runs_the_handler_once_and_an_event_nobody_hears_reports_nothing(listen):
    seen = []

    def handler(event):
        seen.append(event)

    listen(Happened, handler)
    listen(Happened, handler)
    events.publish(Happened(what="x"))
    assert len(seen) == 1

    @dataclass(frozen=True, kw_only=True)
    class Unheard(events.Event):
        pass

    assert events.publish(Unheard()) == {}


@pytest.fixture
def catalogue(db):
    products = ensure_catalogue()
    NumberPool.objects.create(phone_number="+4542100001")
    return products


def _new(catalogue, **kwargs):
    values = {
        "user_name": "Åse Ørsted",
        "email": "ase@firma.dk",
        "cost_centre": "",
        "product": catalogue["mobil-basis-5"],
        "add_ons": [],
        "number_choice": "pool",
        "phone_number": "+4542100001",
        "port_operator": "",
        "sim_choice": "ship",
        "iccid": "",
        "ship_to": "Åboulevard 1, 2200 København N",
    } | kwargs
    return actions.NewSubscription(**values)


def test_a_refusing_handler_rolls_the_new_subscription_back(personas, catalogue, listen):
    def refuse(event):
        raise ValidationError("No")

    listen(SubscriptionCreated, refuse)
    by = Actor(user=personas.admin_a)
    with pytest.raises(ValidationError):
        actions.create_subscription(company=personas.company_a, data=_new(catalogue), order_token="t-1", by=by)

    # Nothing half done: no subscription, the number is free again, no SIM fee charged, nothing audited.
    assert not Subscription.objects.for_company(personas.company_a).exists()
    assert NumberPool.objects.get().reserved_for is None
    assert not Charge.objects.for_company(personas.company_a).exists()
    assert not AuditEvent.all_companies.filter(action__startswith="subscription.").exists()


def test_creating_with_a_kept_number_reports_the_port_request_and_the_charges(personas, catalogue):
    data = _new(
        catalogue,
        number_choice="port",
        phone_number="+4530123456",
        port_operator="telia",
        port_signed_name="Anne Admin",
    )
    sub = actions.create_subscription(
        company=personas.company_a, data=data, order_token="t-2", by=Actor(user=personas.admin_a)
    )

    port = PortRequest.objects.for_company(personas.company_a).get(subscription=sub)
    details = AuditEvent.all_companies.get(action="subscription.created").details
    assert details["port_request"] == port.reference
    assert (
        details["charges"]
        == [c.pk for c in Charge.objects.for_company(personas.company_a).filter(subscription=sub)]
        != []
    )


def test_cancelling_the_port_request_cancels_the_waiting_subscription_once(personas, catalogue):
    by = Actor(user=personas.admin_a)
    data = _new(
        catalogue, number_choice="port", phone_number="+4530123456", port_operator="telia", port_signed_name="A"
    )
    sub = actions.create_subscription(company=personas.company_a, data=data, order_token="t-3", by=by)
    port = PortRequest.objects.for_company(personas.company_a).get(subscription=sub)

    numbering_actions.cancel_port_request(port, reason="", by=by)

    sub.refresh_from_db()
    port.refresh_from_db()
    assert (sub.status, sub.end_date, port.status) == (Subscription.Status.CANCELLED, timezone.localdate(), "cancelled")
    counts = {
        a: AuditEvent.all_companies.filter(action=a).count()
        for a in ("subscription.cancelled", "numbers.port_cancelled")
    }
    assert counts == {"subscription.cancelled": 1, "numbers.port_cancelled": 1}
