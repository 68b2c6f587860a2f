import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_shows_the_company_and_a_card_per_granted_area(login, personas):
    response = login(personas.admin_a).get(reverse("portal:overview"))
    assert response.status_code == 200
    assert b"Alfa ApS" in response.content
    for url in ("/tickets/", "/subscriptions/", "/numbers/", "/invoices/"):
        assert f'href="{url}"'.encode() in response.content


def test_it_shows_only_the_granted_areas_in_the_menu(login, personas):
    response = login(personas.invoice_only_a).get(reverse("portal:overview"))
    titles = [str(a.title) for a in response.context["menu_areas"]]
    assert titles == ["Invoice"]
    assert b"Areas you do not have access to" in response.content


def test_the_403_page_explains_how_to_get_access_in_english_and_danish(login, personas):
    client = login(personas.invoice_only_a)
    response = client.get("/subscriptions/")
    assert response.status_code == 403
    assert b"You do not have access to Subscriptions" in response.content
    assert b"contact us" in response.content
    personas.invoice_only_a.language = "da"
    personas.invoice_only_a.save()
    danish = client.get("/subscriptions/")
    assert b"Du har ikke adgang til Abonnementer" in danish.content


def test_the_404_page_uses_the_portal_layout(login, personas, settings):
    settings.DEBUG = False
    response = login(personas.admin_a).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Alfa ApS" in response.content  # the shell with the company switcher


def test_health_checks_the_database(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_admin_is_not_at_the_default_path(client, db):
    assert reverse("admin:index") == "/operator/admin/"
    assert client.get("/admin/").status_code == 404


def test_customers_cannot_reach_the_admin(login, personas):
    response = login(personas.admin_a).get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_top_menu_offers_create_new_subscription_to_admins_who_may_change(login, personas):
    full = login(personas.admin_a).get(reverse("portal:overview"))
    assert b'data-testid="quick-action"' in full.content
    assert b"Create new subscription" in full.content
    read_only = login(personas.readonly_a).get(reverse("portal:overview"))
    assert b'data-testid="quick-action"' not in read_only.content


def test_it_explains_the_missing_areas_in_one_card_with_a_request_access_link_each(login, personas):
    content = login(personas.invoice_only_a).get(reverse("portal:overview")).content.decode()
    assert content.count('data-testid="missing-areas"') == 1
    assert content.count('data-testid="missing-area"') == 4  # support tickets, Subscriptions, Numbers, Products
    assert "Port landline numbers to us" in content  # what the area is
    assert "Order SIM cards, eSIMs, phones and other hardware" in content
    for area in ("tickets", "subscriptions", "numbers", "products"):
        assert f'href="{reverse("tickets:request_access")}?area={area}" data-testid="request-access"' in content
    # The area it has is a card of its own, not in the missing ones.
    assert f'href="{reverse("tickets:request_access")}?area=invoice"' not in content


def test_it_shows_no_missing_areas_card_to_an_admin_of_every_area(login, personas):
    content = login(personas.admin_a).get(reverse("portal:overview")).content.decode()
    assert 'data-testid="missing-areas"' not in content
