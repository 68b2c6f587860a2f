from typing import Any

from api import actions, webhooks
from api.models import APIClient, WebhookDelivery, WebhookEvent, WebhookHub
from audit.actor import Actor
from companies.models import Company, Membership
from registry.areas import registry


def make_client(
    company: Company, *, access: str = Membership.Access.FULL, areas: list[str] | None = None, name: str = "HR-system"
) -> tuple[APIClient, str]:
    """A client and its key, made as the portal makes them."""
    return actions.create_client(
        company=company,
        name=name,
        access=access,
        areas=registry.keys() if areas is None else areas,
        by=Actor.system("test"),
    )


def auth(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def make_hub(
    company: Company,
    *,
    client: APIClient | None = None,
    api: str = WebhookHub.Api.PRODUCT_INVENTORY,
    callback: str = "http://127.0.0.1:9/hook",
    query: str = "",
) -> tuple[WebhookHub, str]:
    """A hub and its secret, registered as the API registers them (tests allow http://127.0.0.1)."""
    return webhooks.register_hub(
        client=client or make_client(company)[0], api=api, callback=callback, query=query, by=Actor.system("test")
    )


def make_delivery(company: Company, *, hub: WebhookHub | None = None, status: str = "failed") -> WebhookDelivery:
    hub = hub or make_hub(company)[0]
    event = WebhookEvent.objects.create(company=company, event_type="ProductStateChangeEvent", payload={"event": {}})
    return WebhookDelivery.objects.create(company=company, hub=hub, event=event, status=status, tries=1)


URL_KWARGS = {
    "client_id": lambda company: make_client(company)[0].pk,
    "hub_id": lambda company: make_hub(company)[0].pk,
    "delivery_id": lambda company: make_delivery(company).pk,
}
