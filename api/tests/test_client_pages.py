"""The portal's API clients page: create (key shown once), rotate, revoke; same rules as the rest of the portal."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from api.models import APIClient
from api.tests.factories import auth, make_client
from audit.models import AuditEvent
from companies.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("api_clients:list")
PRODUCTS = "/tmf-api/productInventory/v4/product"


def _create(client, **data):
    form = {"client-name": "Lønsystem", "client-access": "read_only", "client-areas": ["subscriptions"], **data}
    return client.post(PAGE, {k if k.startswith("client-") else f"client-{k}": v for k, v in form.items()})


def _key(response):
    return re.search(r'value="(sskey_[^"]+)"', response.content.decode()).group(1)


def test_it_creates_a_client_and_shows_its_key_once(personas, login):
    admin = login(personas.admin_a)
    response = _create(admin)
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    key = _key(response)
    client = APIClient.objects.for_company(personas.company_a).get()
    assert (client.company, client.name, client.areas, client.is_read_only) == (
        personas.company_a,
        "Lønsystem",
        ["subscriptions"],
        True,
    )
    assert Client().get(PRODUCTS, **auth(key)).status_code == 200
    page = admin.get(PAGE)
    assert "Lønsystem" in page.content.decode()
    assert key not in page.content.decode()
    assert client.key_prefix in page.content.decode()
    event = AuditEvent.objects.for_company(personas.company_a).get(action="api_client.created")
    assert event.actor == personas.admin_a and event.company == personas.company_a


def test_it_shows_only_the_companys_clients(personas, login):
    make_client(personas.company_a, name="Alfas system")
    make_client(personas.company_b, name="Betas system")
    text = login(personas.admin_a).get(PAGE).content.decode()
    assert "Alfas system" in text and "Betas system" not in text


def test_an_admin_cannot_grant_areas_they_do_not_have(personas, login):
    invoice_only = login(personas.invoice_only_a)
    response = _create(invoice_only, **{"client-areas": ["subscriptions"]})
    assert response.status_code == 400
    assert not APIClient.objects.for_company(personas.company_a).exists()
    assert _create(invoice_only, **{"client-areas": ["invoice"]}).status_code == 201


def test_a_read_only_admin_sees_the_clients_but_cannot_create_them(personas, login):
    make_client(personas.company_a, name="Alfas system")
    readonly = login(personas.readonly_a)
    page = readonly.get(PAGE)
    assert "Alfas system" in page.content.decode()
    assert "Create API client" not in page.content.decode()
    assert _create(readonly).status_code == 403
    client = APIClient.objects.for_company(personas.company_a).get()
    assert readonly.post(reverse("api_clients:revoke", args=[client.pk])).status_code == 403
    assert readonly.post(reverse("api_clients:rotate", args=[client.pk])).status_code == 403
    assert APIClient.objects.for_company(personas.company_a).get().revoked_at is None


def test_rotating_shows_a_new_key_and_the_old_one_stops(personas, login):
    client, old = make_client(personas.company_a)
    response = login(personas.admin_a).post(reverse("api_clients:rotate", args=[client.pk]))
    assert response.status_code == 200
    new = _key(response)
    assert new != old
    assert Client().get(PRODUCTS, **auth(old)).status_code == 401
    assert Client().get(PRODUCTS, **auth(new)).status_code == 200
    assert (
        AuditEvent.objects.for_company(personas.company_a)
        .filter(action="api_client.rotated", actor=personas.admin_a)
        .exists()
    )


def test_revoking_stops_the_key(personas, login):
    client, key = make_client(personas.company_a)
    response = login(personas.admin_a).post(reverse("api_clients:revoke", args=[client.pk]))
    assert response.status_code == 302
    assert Client().get(PRODUCTS, **auth(key)).status_code == 401
    assert (
        AuditEvent.objects.for_company(personas.company_a)
        .filter(action="api_client.revoked", actor=personas.admin_a)
        .exists()
    )


def test_another_companys_client_answers_404(personas, login):
    theirs, key = make_client(personas.company_b)
    admin = login(personas.admin_a)
    assert admin.post(reverse("api_clients:revoke", args=[theirs.pk])).status_code == 404
    assert admin.post(reverse("api_clients:rotate", args=[theirs.pk])).status_code == 404
    assert Client().get(PRODUCTS, **auth(key)).status_code == 200


def test_the_page_is_in_danish(personas, login):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    make_client(personas.company_a, name="Lønsystem")
    text = login(personas.admin_a).get(PAGE, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "API-klienter" in text and "Opret API-klient" in text and "Tilbagekald" in text


def test_the_activity_log_names_the_client_and_its_events(personas, login):
    make_client(personas.company_a, name="Lønsystem")
    MembershipFactory(company=personas.company_a)
    text = login(personas.admin_a).get(reverse("audit:list")).content.decode()
    assert "Created an API client" in text
