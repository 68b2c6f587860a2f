"""Adding an area is adding an app: the root URLs, route walkers, menus and 403 page read the registry."""

import importlib

import pytest
from django.apps import apps
from django.urls import clear_url_caches, resolve, reverse

from companies.models import Membership
from portal.testing import PORTAL_APPS, SHELL_APPS, portal_routes
from registry.areas import Area, registry

pytestmark = pytest.mark.django_db

# The paths customers and bookmarks know: the registry must keep them.
KNOWN_PREFIXES = {
    "tickets": "tickets/",
    "subscriptions": "subscriptions/",
    "numbers": "numbers/",
    "invoice": "invoices/",
    "products": "products/",
}


def reload_root_urls() -> None:
    import selfservice.urls

    importlib.reload(selfservice.urls)
    clear_url_caches()


@pytest.fixture
def demo_area(monkeypatch):
    """A new area, registered the way an app's ready() does, and the root URLconf rebuilt."""
    area = Area(
        key="demo",
        title="Demo",
        url_name="demo:index",
        description="An area added by a test.",
        icon="flask",
        order=50,
        staff_url_name="demo:staff",
        staff_title="Demo queue",
        urls="portal.tests.demo_area_urls",
        url_prefix="demo-area/",
    )
    monkeypatch.setitem(registry._areas, area.key, area)
    reload_root_urls()
    yield area
    monkeypatch.undo()
    reload_root_urls()


def test_every_area_is_mounted_from_the_registry_at_its_known_path():
    assert {area.key: area.url_prefix for area in registry.with_urls()} == KNOWN_PREFIXES
    for area in registry.all():
        assert area.url == f"/{area.url_prefix}"
        assert resolve(area.url).namespace == area.key
        assert area.app is not None and apps.is_installed(area.app)


def test_the_route_walkers_cover_every_area_app():
    assert PORTAL_APPS == [*SHELL_APPS, "tickets", "subscriptions", "numbering", "invoicing", "products"]
    assert "api" in SHELL_APPS
    assert {route.namespace for route in portal_routes()} >= {"portal", "audit", "accounts", *registry.keys()}


def test_a_new_area_gets_its_urls_menus_and_walker_coverage_without_editing_the_shell(demo_area, personas, login):
    assert reverse("demo:index") == "/demo-area/"
    assert "demo" in {route.namespace for route in portal_routes()}
    membership = Membership.objects.get(user=personas.admin_a, company=personas.company_a)
    membership.areas = [*membership.areas, "demo"]
    membership.save()

    page = login(personas.admin_a).get(reverse("demo:index"))
    assert page.status_code == 200
    overview = login(personas.admin_a).get(reverse("portal:overview"))
    assert b'href="/demo-area/"' in overview.content  # the top menu
    staff_page = login(personas.staff).get(reverse("portal:overview"))
    assert b'href="/demo-area/staff/"' in staff_page.content  # the staff menu
    refused = login(personas.invoice_only_a).get(reverse("demo:index"))
    assert refused.status_code == 403
    assert refused.context["access_request_url"] == reverse("tickets:request_access") + "?area=demo"


def test_the_prefixes_of_two_areas_cannot_clash():
    with pytest.raises(ValueError, match="already"):
        registry.register(
            Area(key="other", title="x", url_name="x", description="", icon="x", urls="x.urls", url_prefix="tickets/")
        )
    with pytest.raises(ValueError, match="slash"):
        registry.register(
            Area(key="other", title="x", url_name="x", description="", icon="x", urls="x.urls", url_prefix="other")
        )
    assert "other" not in registry.keys()


def test_the_access_request_link_comes_from_the_app_that_takes_requests(personas, login):
    response = login(personas.invoice_only_a).get(reverse("subscriptions:index"))
    assert response.context["access_request_url"] == "/tickets/request-access/?area=subscriptions"


def test_without_an_app_taking_access_requests_the_403_page_says_to_contact_us(personas, login, monkeypatch):
    monkeypatch.setattr(registry, "_access_request_url_name", None)
    response = login(personas.invoice_only_a).get(reverse("subscriptions:index"))
    assert response.status_code == 403
    assert response.context["access_request_url"] is None
    assert b"Ask us for access" not in response.content
    assert b"please contact us" in response.content
