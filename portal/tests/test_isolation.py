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


# -- levels per area and cost-centre limits (accounts.admins grants them; companies.permissions enforces them) --


def _every_area_but_one_read_only(company, read_only_key):
    from registry.areas import registry

    return MembershipFactory(company=company, areas=registry.keys(), read_only_areas=[read_only_key]).user


@pytest.mark.parametrize("route", [r for r in AREA_ROUTES if not r.read_only_may_post], ids=lambda r: r.name)
def test_it_refuses_writes_where_only_that_area_is_read_only(route, personas, login):
    """Full access to every other area does not open a write in the one area held read-only."""
    user = _every_area_but_one_read_only(personas.company_a, route.area_key)
    url = _url(route, personas.company_a) if route.kwargs else reverse(route.name)
    assert login(user).post(url, {}).status_code == 403


# Objects of these kinds belong to a cost centre (the factories make them in "Salg"): a limited admin of "Lager"
# gets 404 for them, as for another company's ids (an employee's request: its subscription's cost centre). A bulk
# job is only its own starter's.
FOREIGN_FOR_LIMITED = {"subscription_id", "bulk_job_id", "request_id"}
WALKED = [r for r in ROUTES if not getattr(r.callback, "public", False) and "staff" not in r.name.split(":")[1]]


def _limited_admin(company):
    from registry.areas import registry

    # Every area, as a row could say it: the policy still closes the areas that show the whole company.
    return MembershipFactory(company=company, areas=registry.keys(), cost_centres=["Lager"]).user


def _expected_for_limited(route) -> int | None:
    from registry.areas import registry

    if route.area_key and not registry.get(route.area_key).cost_centre_scoped:
        return 403
    if getattr(route.callback, "whole_company", False):
        return 403
    if FOREIGN_FOR_LIMITED & set(route.kwargs):
        return 404
    return None


@pytest.mark.parametrize("route", WALKED, ids=lambda r: r.name)
def test_a_cost_centre_limited_admin_gets_only_their_cost_centres_on_every_route(route, personas, login):
    client = login(_limited_admin(personas.company_a))
    url = _url(route, personas.company_a) if route.kwargs else reverse(route.name)
    expected = _expected_for_limited(route)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code < 500, url
        if expected is not None:
            assert response.status_code == expected, url
        if response.status_code == 403 and expected == 403:
            assert b'data-testid="forbidden-limited"' in response.content or route.area_key is not None


@pytest.mark.parametrize("route", [r for r in OBJECT_ROUTES if "staff" not in r.name], ids=lambda r: r.name)
def test_a_limited_admin_gets_404_for_another_companys_ids(route, personas, login):
    url = _url(route, personas.company_b)
    client = login(_limited_admin(personas.company_a))
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {}).status_code in (403, 404)
