"""Keys, rate limits and the area policy: the same rules as an admin in the portal."""

import pytest
from django.test import Client

from api import actions
from api.models import APIClient
from api.tests.factories import auth, make_client
from audit.actor import Actor
from companies.models import Membership

pytestmark = pytest.mark.django_db

PRODUCTS = "/tmf-api/productInventory/v4/product"
TICKETS = "/tmf-api/troubleTicket/v4/troubleTicket"
NEW_TICKET = {"name": "Ingen forbindelse", "description": "Telefonen virker ikke", "ticketType": "technical_fault"}


def _error(response):
    body = response.json()
    assert set(body) >= {"code", "reason", "message", "status"}
    assert body["status"] == str(response.status_code)
    return body


@pytest.mark.parametrize(
    "header",
    [None, "Bearer nonsense", "Bearer sskey_000000000000_wrong", "Basic dXNlcjpwYXNz", "Bearer sskey__x"],
)
def test_it_answers_401_without_a_valid_key(personas, api_a, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get(PRODUCTS, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    _error(response)


def test_it_refuses_a_right_prefix_with_a_wrong_secret(personas, api_a):
    forged = f"sskey_{api_a.client.key_prefix}_{'x' * 43}"
    assert Client().get(PRODUCTS, **auth(forged)).status_code == 401


def test_it_stores_only_a_hash_of_the_secret(personas, api_a):
    client = APIClient.objects.for_company(personas.company_a).get(pk=api_a.client.pk)
    secret = api_a.token.split("_", 2)[2]
    assert secret not in client.secret_hash
    assert len(client.secret_hash) == 64


def test_a_revoked_client_stops_working_at_once(personas, api_a):
    assert api_a.get(PRODUCTS).status_code == 200
    actions.revoke_client(api_a.client, by=Actor(user=personas.admin_a))
    assert api_a.get(PRODUCTS).status_code == 401


def test_a_rotated_key_replaces_the_old_one(personas, api_a):
    new_token = actions.rotate_secret(api_a.client, by=Actor(user=personas.admin_a))
    assert api_a.get(PRODUCTS).status_code == 401
    assert Client().get(PRODUCTS, **auth(new_token)).status_code == 200


def test_it_answers_403_without_the_area(personas, caller):
    only_invoice = caller(personas.company_a, areas=["invoice"])
    response = only_invoice.get(PRODUCTS)
    assert response.status_code == 403
    assert _error(response)["code"] == "no_grant"
    assert only_invoice.get(TICKETS).status_code == 403


def test_a_ticket_client_cannot_read_subscriptions(personas, caller):
    tickets_only = caller(personas.company_a, areas=["tickets"])
    assert tickets_only.get(TICKETS).status_code == 200
    assert tickets_only.get(PRODUCTS).status_code == 403


def test_it_answers_403_to_writes_from_a_read_only_client(personas, readonly_api_a):
    assert readonly_api_a.get(TICKETS).status_code == 200
    response = readonly_api_a.post(TICKETS, NEW_TICKET)
    assert response.status_code == 403
    assert _error(response)["code"] == "read_only"


def test_the_403_comes_before_the_body_is_read(personas, readonly_api_a):
    assert readonly_api_a.post(TICKETS, {"nonsense": True}).status_code == 403


def test_it_limits_the_rate_per_client(personas, api_a, api_b, settings):
    settings.API_RATE_LIMIT = 3
    assert [api_a.get(PRODUCTS).status_code for _ in range(3)] == [200, 200, 200]
    response = api_a.get(PRODUCTS)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    _error(response)
    # Another client has its own budget.
    assert api_b.get(PRODUCTS).status_code == 200


def test_it_notes_when_a_client_was_last_used(personas, api_a):
    assert APIClient.objects.for_company(personas.company_a).get(pk=api_a.client.pk).last_used_at is None
    api_a.get(PRODUCTS)
    assert APIClient.objects.for_company(personas.company_a).get(pk=api_a.client.pk).last_used_at is not None


def test_the_machine_user_cannot_sign_in(personas, api_a):
    user = api_a.client.user
    assert not user.is_active
    assert not user.has_usable_password()
    assert Client().login(email=user.email, password="") is False


def test_a_client_has_only_the_areas_it_was_given(personas):
    client, _token = make_client(personas.company_a, access=Membership.Access.READ_ONLY, areas=["tickets"])
    assert client.areas == ["tickets"]
    assert client.is_read_only


def test_writes_need_no_csrf_token_since_no_cookie_authenticates(personas, api_a):
    response = Client(enforce_csrf_checks=True).post(
        TICKETS, NEW_TICKET, content_type="application/json", **auth(api_a.token)
    )
    assert response.status_code == 201


def test_a_signed_in_portal_session_is_not_an_api_key(personas, login):
    assert login(personas.admin_a).get(PRODUCTS).status_code == 401


def test_an_address_sending_wrong_keys_is_slowed_down(personas, api_a, settings):
    settings.API_FAILED_AUTH_LIMIT = 3
    wrong = f"sskey_{api_a.client.key_prefix}_{'x' * 43}"
    assert [Client().get(PRODUCTS, **auth(wrong)).status_code for _ in range(3)] == [401, 401, 401]
    response = Client().get(PRODUCTS, **auth(wrong))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    # A valid key still works, from there and elsewhere.
    assert Client().get(PRODUCTS, **auth(api_a.token)).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.9").get(PRODUCTS, **auth(wrong)).status_code == 401
