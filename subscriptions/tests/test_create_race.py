"""A double click on the guide's last step, both requests at once: one subscription, both see it."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from subscriptions.models import NumberPool, Subscription
from subscriptions.tests.test_create import u, walk

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two requests at once need PostgreSQL (SQLite runs one writer at a time)",
    ),
]


@pytest.mark.parametrize(
    "number",
    [
        None,
        {
            "choice": "port",
            "port_number": "+4542999999",
            "port_operator": "telia",
            "signed_name": "Anne Admin",
            "consent": "on",
        },
    ],
    ids=["pool", "port"],
)
def test_two_simultaneous_submits_of_one_guide_redirect_to_the_same_subscription(personas, login, catalogue, number):
    first = login(personas.admin_a)
    token = walk(first, catalogue, number=number).context["token"]
    second = Client()
    second.cookies = first.cookies  # the same browser: the same session and the same hidden token
    barrier = threading.Barrier(2)
    responses: list = []
    errors: list[BaseException] = []

    def submit(client: Client) -> None:
        try:
            barrier.wait()
            responses.append(client.post(u("summary"), {"token": token}))
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sub = Subscription.all_companies.get(company=personas.company_a)
    detail = reverse("subscriptions:detail", kwargs={"subscription_id": sub.pk})
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, detail), (302, detail)]
    if number is None:
        assert NumberPool.objects.get(phone_number="+4542100003").reserved_for == personas.company_a
