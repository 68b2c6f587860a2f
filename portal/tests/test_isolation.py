"""Walks every route of the portal's own apps (new areas are covered automatically)."""

import pytest
from django.urls import reverse

from companies.models import Membership
from companies.tests.factories import MembershipFactory
from portal.testing import portal_routes, url_kwarg_factories

pytestmark = pytest.mark.django_db

ROUTES = portal_routes()
OBJECT_ROUTES = [r for r in ROUTES if r.kwargs]
AREA_ROUTES = [r for r in ROUTES if r.area_key]


def _url(route, company):
    factories = url_kwarg_factories()
    missing = [k for k in route.kwargs if k not in factories]
    assert not missing, f"{route.name}: add URL_KWARGS for {missing} in the app's tests/factories.py"
    return reverse(route.name, kwargs={k: factories[k](company) for k in route.kwargs})


def test_it_finds_the_routes():
    names = {r.name for r in ROUTES}
    assert {"portal:overview", "audit:list", "tickets:index", "subscriptions:index"} <= names


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_it_answers_404_for_another_companys_ids(route, personas, login):
    url = _url(route, personas.company_b)
    client = login(personas.admin_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("route", AREA_ROUTES, ids=lambda r: r.name)
def test_it_answers_403_without_the_area_grant(route, personas, login):
    other_areas = [k for k in Membership.objects.get(user=personas.admin_a).areas if k != route.area_key]
    user = MembershipFactory(company=personas.company_a, areas=other_areas).user
    url = _url(route, personas.company_a) if route.kwargs else reverse(route.name)
    response = login(user).get(url)
    assert response.status_code == 403
    assert b"contact us" in response.content


@pytest.mark.parametrize("route", [r for r in AREA_ROUTES if not r.read_only_may_post], ids=lambda r: r.name)
def test_it_refuses_writes_from_read_only_admins(route, personas, login):
    url = _url(route, personas.company_a) if route.kwargs else reverse(route.name)
    response = login(personas.readonly_a).post(url, {})
    assert response.status_code == 403


@pytest.mark.parametrize("route", [r for r in ROUTES if not getattr(r.callback, "public", False)], ids=lambda r: r.name)
def test_it_sends_anonymous_visitors_to_sign_in(route, personas, client):
    url = _url(route, personas.company_a) if route.kwargs else reverse(route.name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
