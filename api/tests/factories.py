from typing import Any

from api import actions
from api.models import APIClient
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


URL_KWARGS = {
    "client_id": lambda company: make_client(company)[0].pk,
}
