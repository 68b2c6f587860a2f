"""Turns the areas' events into TMF events for the hubs that listen, in the transaction of the change.

Subscribed in ``ApiConfig.ready()`` (the API is above the areas, so it may listen to them). An event
is recorded only when a hub listens: one ``WebhookEvent`` (the resource as it is now, in the TMF
envelope) and one ``WebhookDelivery`` per hub, each with its delivery task queued in this same
transaction (``jobs.queue.enqueue``). A rolled-back change leaves no event and no task.
"""

import copy
import uuid
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone

from api import bills, hardwareorders, neworders, numbers, orders, products, troubletickets
from api.models import ProductOrder, WebhookDelivery, WebhookEvent, WebhookHub
from api.webhooks import AREA_OF_API
from companies.models import Company
from invoicing.events import InvoiceIssued
from invoicing.models import Invoice
from invoicing.selectors import with_credited
from jobs.queue import enqueue
from numbering.events import CallFlowSaved, PortRequestStatusChanged
from numbering.models import CallFlowVersion, PortEvent, PortRequest
from products.events import OrderStateChanged
from registry.events import Facts, subscribe
from subscriptions.events import SubscriptionCreated, SubscriptionStatusChanged
from subscriptions.models import Subscription
from tickets.events import TicketStaffReplied, TicketStatusChanged
from tickets.models import Ticket, TicketMessage


class _Site:
    """Stands in for a request when rendering a resource outside one: hrefs use PORTAL_BASE_URL."""

    def build_absolute_uri(self, path: str) -> str:
        return f"{settings.PORTAL_BASE_URL}{path}"


def _site() -> HttpRequest:
    return cast(HttpRequest, _Site())


def listening_hubs(company_id: int, api: str, event_type: str) -> list[WebhookHub]:
    hubs = WebhookHub.objects.filter(
        company_id=company_id, api=api, deleted_at__isnull=True, client__revoked_at__isnull=True
    ).select_related("client")
    # A client that lost the area since it registered hears nothing more from it.
    return [h for h in hubs if event_type in h.event_types and h.client.has_area(AREA_OF_API[api])]


def record_event(
    *,
    company_id: int,
    api: str,
    event_type: str,
    build: Callable[[], dict[str, Any]],
    hubs: list[WebhookHub] | None = None,
) -> WebhookEvent | None:
    """Records one event for the hubs listening (and queues its deliveries); None when nobody listens.
    ``hubs``: the listening hubs when the caller already has them (one look-up for a whole bulk change)."""
    from api.tasks import deliver_webhook

    if hubs is None:
        hubs = listening_hubs(company_id, api, event_type)
    if not hubs:
        return None
    event_id, now = uuid.uuid4(), timezone.now()
    payload = {
        "eventId": str(event_id),
        "eventTime": now.isoformat(),
        "eventType": event_type,
        "event": build(),
    }
    event = WebhookEvent.objects.create(
        company_id=company_id, event_id=event_id, event_type=event_type, payload=payload, created_at=now
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(company_id=company_id, hub=hub, event=event, created_at=now) for hub in hubs]
    )
    for delivery in deliveries:
        enqueue(deliver_webhook, delivery.pk)
    return event


# Subscriptions: TMF637 product ------------------------------------------------------------------------


def _products(company_id: int, ids: list[int]) -> dict[int, dict[str, Any]]:
    company = Company.objects.get(pk=company_id)
    rows = list(
        Subscription.objects.filter(company_id=company_id, pk__in=ids).values(*products.ROW_FIELDS).order_by("pk")
    )
    return {int(item["id"]): item for item in products.render_rows(_site(), company, rows)}


def on_subscription_created(event: SubscriptionCreated) -> Facts | None:
    sub = event.subscription
    record_event(
        company_id=sub.company_id,
        api=WebhookHub.Api.PRODUCT_INVENTORY,
        event_type="ProductCreateEvent",
        build=lambda: {"product": _products(sub.company_id, [sub.pk])[sub.pk]},
    )
    return None


def on_subscription_status_changed(event: SubscriptionStatusChanged) -> Facts | None:
    _product_state_changes(event)
    _orders_followed(
        event.company_id,
        [pk for pk, _old, _new in event.changes],
        old_status={pk: old for pk, old, _new in event.changes},
    )
    return None


def _product_state_changes(event: SubscriptionStatusChanged) -> None:
    api, event_type = WebhookHub.Api.PRODUCT_INVENTORY, "ProductStateChangeEvent"
    hubs = listening_hubs(event.company_id, api, event_type)
    if not hubs:
        return None
    rendered = _products(event.company_id, [pk for pk, _old, _new in event.changes])
    for pk, old, _new in event.changes:
        # The resource as it is now; the old status beside it (TMF's Product has no attribute for it).
        body = {"product": rendered[pk], "previousStatus": products.STATUS_TO_TMF.get(old, old)}
        record_event(company_id=event.company_id, api=api, event_type=event_type, build=_constant(body), hubs=hubs)


def _constant(body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: body


# Invoices: TMF678 customerBill ---------------------------------------------------------------------


def on_invoice_issued(event: InvoiceIssued) -> Facts | None:
    company_id = event.company_id
    if company_id is None:
        company_id = Invoice.objects.unscoped().values_list("company_id", flat=True).get(pk=event.invoice_id)

    def build() -> dict[str, Any]:
        bill = with_credited(Invoice.objects.filter(company_id=company_id)).get(pk=event.invoice_id)
        return {"customerBill": bills.render(_site(), bill)}

    record_event(
        company_id=company_id, api=WebhookHub.Api.CUSTOMER_BILL, event_type="CustomerBillCreateEvent", build=build
    )
    return None


# Tickets: TMF621 troubleTicket ---------------------------------------------------------------------


def _ticket(company_id: int, ticket_id: int) -> dict[str, Any]:
    return troubletickets.render(_site(), Ticket.objects.filter(company_id=company_id).get(pk=ticket_id))


def on_ticket_status_changed(event: TicketStatusChanged) -> Facts | None:
    record_event(
        company_id=event.company_id,
        api=WebhookHub.Api.TROUBLE_TICKET,
        event_type="TroubleTicketStatusChangeEvent",
        build=lambda: {"troubleTicket": _ticket(event.company_id, event.ticket_id)},
    )
    return None


def on_staff_replied(event: TicketStaffReplied) -> Facts | None:
    def build() -> dict[str, Any]:
        message = TicketMessage.objects.filter(company_id=event.company_id).get(pk=event.message_id)
        ticket = _ticket(event.company_id, event.ticket_id)
        ticket["note"] = [troubletickets.render_note(message)]
        return {"troubleTicket": ticket, "fieldPath": "note"}

    record_event(
        company_id=event.company_id,
        api=WebhookHub.Api.TROUBLE_TICKET,
        event_type="TroubleTicketAttributeValueChangeEvent",
        build=build,
    )
    return None


# Orders: TMF622 productOrder ---------------------------------------------------------------------


def _orders_followed(
    company_id: int,
    subscription_ids: list[int],
    *,
    old_status: dict[int, str] | None = None,
    old_port: tuple[int, str] | None = None,
) -> None:
    """A new subscription's order follows its subscription and port request: when the state read from
    them changes, that is a ProductOrderStateChangeEvent. ``old_status`` (subscription id -> status) or
    ``old_port`` (port request id, status) say what changed, to read the state it had."""
    api, event_type = WebhookHub.Api.PRODUCT_ORDERING, "ProductOrderStateChangeEvent"
    if not subscription_ids:
        return
    hubs = listening_hubs(company_id, api, event_type)
    if not hubs:
        return
    added = list(
        ProductOrder.objects.filter(
            company_id=company_id, action=ProductOrder.Action.ADD, subscription_id__in=subscription_ids
        )
        .select_related("subscription")
        .order_by("pk")
    )
    if not added:
        return
    company = Company.objects.get(pk=company_id)
    port_requests = neworders.port_requests_of(company, [o.subscription_id for o in added])
    for order in added:
        sub, port = order.subscription, port_requests.get(order.subscription_id)
        before_sub, before_port = sub, port
        if old_status and order.subscription_id in old_status:
            before_sub = copy.copy(sub)
            before_sub.status = old_status[order.subscription_id]
        if old_port and port is not None and port.pk == old_port[0]:
            before_port = copy.copy(port)
            before_port.status = old_port[1]
        previous, now = neworders.state(before_sub, before_port), neworders.state(sub, port)
        if previous == now:
            continue
        body = {"productOrder": orders.render(_site(), order, port_requests), "previousState": previous}
        record_event(company_id=company_id, api=api, event_type=event_type, build=_constant(body), hubs=hubs)


# Products: TMF622 productOrder of hardware and SIM cards ----------------------------------------------


def on_hardware_order_state_changed(event: OrderStateChanged) -> Facts | None:
    def build() -> dict[str, Any]:
        company = Company.objects.get(pk=event.company_id)
        order = hardwareorders.orders_of(company).get(pk=event.order_id)
        return {"productOrder": hardwareorders.render(_site(), order), "previousState": event.previous}

    record_event(
        company_id=event.company_id,
        api=WebhookHub.Api.HARDWARE_ORDERING,
        event_type="ProductOrderStateChangeEvent",
        build=build,
    )
    return None


# Numbers: port requests and call flow versions ---------------------------------------------------------


def on_port_request_status_changed(event: PortRequestStatusChanged) -> Facts | None:
    def build() -> dict[str, Any]:
        port = (
            PortRequest.objects.filter(company_id=event.company_id)
            .prefetch_related("numbers", Prefetch("events", queryset=PortEvent.objects.order_by("created_at", "id")))
            .get(pk=event.port_request_id)
        )
        return {"portRequest": numbers.render_port(_site(), port, full=True), "previousStatus": event.previous}

    record_event(
        company_id=event.company_id,
        api=WebhookHub.Api.NUMBERING,
        event_type="PortRequestStateChangeEvent",
        build=build,
    )
    if event.subscription_id is not None:
        _orders_followed(event.company_id, [event.subscription_id], old_port=(event.port_request_id, event.previous))
    return None


def on_call_flow_saved(event: CallFlowSaved) -> Facts | None:
    def build() -> dict[str, Any]:
        company = Company.objects.get(pk=event.company_id)
        version = CallFlowVersion.objects.filter(company_id=event.company_id).get(pk=event.version_id)
        return {"callFlow": numbers.render_flow(_site(), company, version)}

    record_event(
        company_id=event.company_id, api=WebhookHub.Api.NUMBERING, event_type="CallFlowCreateEvent", build=build
    )
    return None


def subscribe_all() -> None:
    subscribe(SubscriptionCreated, on_subscription_created)
    subscribe(SubscriptionStatusChanged, on_subscription_status_changed)
    subscribe(InvoiceIssued, on_invoice_issued)
    subscribe(TicketStatusChanged, on_ticket_status_changed)
    subscribe(TicketStaffReplied, on_staff_replied)
    subscribe(PortRequestStatusChanged, on_port_request_status_changed)
    subscribe(CallFlowSaved, on_call_flow_saved)
    subscribe(OrderStateChanged, on_hardware_order_state_changed)
