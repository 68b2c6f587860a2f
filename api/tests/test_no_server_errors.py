"""Hostile input never gives a 500, and always a TMF error body."""

import pytest

from subscriptions.tests.factories import SubscriptionFactory
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/tmf-api/productInventory/v4/product"
TICKETS = "/tmf-api/troubleTicket/v4/troubleTicket"
NASTY = ["", "0", "-1", "9" * 40, "1e9", "null", "'; DROP TABLE x;--", "\x00", "ø" * 500, "%00", "[]", "{}"]


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize(
    "param",
    [
        "status",
        "productOffering.id",
        "costCentre",
        "phoneNumber",
        "email",
        "lastUpdate.gte",
        "offset",
        "limit",
        "sort",
        "fields",
    ],
)
def test_product_filters_never_fail(personas, api_a, param, value):
    response = api_a.get(PRODUCTS, {param: value})
    assert response.status_code in (200, 422)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 40, "1.5", "%00"])
def test_bad_ids_answer_404_or_422(personas, api_a, value):
    for path in (f"{PRODUCTS}/{value}", f"{TICKETS}/{value}"):
        assert api_a.get(path).status_code in (404, 422)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"name": 5}',
        b'{"productCharacteristic": "x"}',
        b'{"productCharacteristic": [{"name": null}]}',
        b"\xff\xfe",
        b'{"name": "a\\u0000b", "description": "x", "ticketType": "other", "text": "\\u0000"}',
        b'{"productCharacteristic": [{"name": "costCentre", "value": "\\u0000"}]}',
    ],
)
def test_bad_bodies_answer_422(personas, api_a, body):
    sub = SubscriptionFactory(company=personas.company_a)
    ticket = TicketFactory(company=personas.company_a)
    for method, path in (("patch", f"{PRODUCTS}/{sub.pk}"), ("post", TICKETS), ("post", f"{TICKETS}/{ticket.pk}/note")):
        response = getattr(api_a.http, method)(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_a.token}"
        )
        assert response.status_code in (400, 422), (method, path, body, response.content)
        assert "status" in response.json()


def test_an_unknown_path_is_a_404(personas, api_a):
    assert api_a.get("/tmf-api/productInventory/v4/nothing").status_code == 404
