import re

import pytest
from django.test import Client

from subscriptions.tests.factories import ProductFactory, SubscriptionFactory


@pytest.fixture
def products(db):
    small = ProductFactory(code="mobil-5", name="Mobile 5 GB", name_da="Mobil 5 GB", monthly_price=9900)
    big = ProductFactory(code="mobil-50", name="Mobile 50 GB", name_da="Mobil 50 GB", monthly_price=19900)
    small.allowed_changes.add(big)
    return small, big


@pytest.fixture
def anna(personas, products):
    """Anna, an employee of Alfa ApS: her subscription carries her work address."""
    return SubscriptionFactory(
        company=personas.company_a,
        user_name="Anna Jensen",
        email="anna@alfa.dk",
        phone_number="+4531001314",  # outside the factory's +4520… sequence
        product=products[0],
    )


@pytest.fixture
def bo(personas, products):
    """Bo, a colleague of Anna's at Alfa."""
    return SubscriptionFactory(
        company=personas.company_a, user_name="Bo Hansen", email="bo@alfa.dk", product=products[0]
    )


def sent():
    """The e-mails queued in the outbox, oldest first (what the sender hands to the mail server)."""
    from outbox.models import OutboxMessage

    return list(OutboxMessage.objects.order_by("id"))


def link_in(message) -> str:
    return re.search(r"https?://\S+/employee/sign-in/\S+/", message.body).group(0)


@pytest.fixture
def employee_client():
    """A client signed in as the employee with the given address, through the real link."""

    def make(email: str) -> Client:
        client = Client()
        client.post("/employee/sign-in/", {"email": email})
        path = link_in(sent()[-1]).split("://", 1)[1].split("/", 1)[1]
        response = client.post("/" + path)
        assert response.status_code == 302, response.content
        return client

    return make
