"""The shell (top menu, switcher, settings menu, language forms) is rendered once and kept (portal.shell):
every change that shows in it shows on the next request, and no one gets another user's shell."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from companies.models import Membership
from companies.tests.factories import MembershipFactory
from portal import shell
from portal.tests.test_area_wiring import demo_area  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def nav(response) -> str:
    html = response.content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def nav_token(response) -> str:
    """The CSRF token the menu's forms carry (a kept list body renders without the token in its context)."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', nav(response))
    assert found, "the menu has no CSRF token"
    return found.group(1)


def test_the_shell_is_kept_and_the_same_as_rendered(personas, login):
    shell.forget()
    client = login(personas.admin_a)
    first = client.get(reverse("subscriptions:index"))
    assert len(shell._kept) == 1
    second = client.get(reverse("subscriptions:index"))
    assert len(shell._kept) == 1  # served from what was kept
    assert nav(first).replace(nav_token(first), "") == nav(second).replace(nav_token(second), "")
    assert "Alfa ApS" in nav(second) and "admin-a@alfa.dk" in nav(second)


def test_the_csrf_token_and_the_paths_come_in_per_request(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin_ab, backend="django.contrib.auth.backends.ModelBackend")
    client.get(reverse("subscriptions:index"))  # keeps the shell
    page = client.get(reverse("subscriptions:index") + "?q=x&sort=email")
    menu = nav(page)
    token = nav_token(page)
    assert menu.count(f'name="csrfmiddlewaretoken" value="{token}"') == 4  # switcher, 2 languages, sign out
    assert shell.CSRF_MARK not in menu and shell.PATH_MARK not in menu and shell.FULL_PATH_MARK not in menu
    assert '<input type="hidden" name="next" value="/subscriptions/">' in menu  # the switcher's
    assert menu.count('name="next" value="/subscriptions/?q=x&amp;sort=email"') == 2  # the language forms'
    other = client.get(reverse("tickets:index"))
    assert '<input type="hidden" name="next" value="/tickets/">' in nav(other)
    # The spliced token is this session's: the switcher's form posts.
    switched = client.post(
        reverse("portal:switch_company"),
        {"csrfmiddlewaretoken": token, "company": personas.company_b.pk, "next": "/tickets/"},
    )
    assert switched.status_code == 302


def test_two_users_never_get_each_others_shell(personas, login):
    twin = MembershipFactory(company=personas.company_a, user__email="twin@alfa.dk").user  # the same grants
    a = nav(login(personas.admin_a).get(reverse("subscriptions:index")))
    b = nav(login(twin).get(reverse("subscriptions:index")))
    assert "admin-a@alfa.dk" in a and "twin@alfa.dk" not in a
    assert "twin@alfa.dk" in b and "admin-a@alfa.dk" not in b
    staff = nav(login(personas.staff).get(reverse("portal:overview")))
    assert 'data-testid="staff-menu"' in staff
    assert 'data-testid="staff-menu"' not in nav(login(personas.admin_a).get(reverse("portal:overview")))


def test_a_changed_grant_shows_on_the_next_request(personas, login):
    client = login(personas.admin_a)
    assert 'href="/subscriptions/"' in nav(client.get(reverse("tickets:index")))
    membership = Membership.objects.get(user=personas.admin_a, company=personas.company_a)
    membership.areas = ["tickets"]
    membership.save()
    menu = nav(client.get(reverse("tickets:index")))
    assert 'href="/subscriptions/"' not in menu and 'href="/tickets/"' in menu
    membership.areas = ["tickets", "subscriptions"]
    membership.save()
    assert 'href="/subscriptions/"' in nav(client.get(reverse("tickets:index")))


def test_a_renamed_company_shows_on_the_next_request(personas, login):
    client = login(personas.admin_ab)
    assert "Beta A/S" in nav(client.get(reverse("portal:overview")))
    personas.company_b.name = "Beta Holding A/S"
    personas.company_b.save()
    menu = nav(client.get(reverse("portal:overview")))
    assert "Beta Holding A/S" in menu and "Beta A/S" not in menu


def test_a_new_membership_shows_in_the_switcher_on_the_next_request(personas, login):
    client = login(personas.admin_a)
    assert "Beta A/S" not in nav(client.get(reverse("portal:overview")))
    MembershipFactory(company=personas.company_b, user=personas.admin_a)
    assert "Beta A/S" in nav(client.get(reverse("portal:overview")))


def test_the_language_shows_on_the_next_request(personas, login):
    client = login(personas.admin_a)
    assert ">Overview</a>" in nav(client.get(reverse("portal:overview")))
    client.post(reverse("accounts:set_language"), {"language": "da", "next": "/"})
    menu = nav(client.get(reverse("portal:overview")))
    assert ">Oversigt</a>" in menu and ">Overview</a>" not in menu
    assert 'data-testid="language-da"' in menu and re.search(r'active" lang="da"', menu)


def test_the_menu_marks_the_page_s_area(personas, login):
    client = login(personas.admin_a)
    tickets = nav(client.get(reverse("tickets:index")))
    subscriptions = nav(client.get(reverse("subscriptions:index")))
    assert re.search(r'nav-link active"\s+aria-current="page"\s+href="/tickets/"', tickets)
    assert re.search(r'nav-link active"\s+aria-current="page"\s+href="/subscriptions/"', subscriptions)
    assert not re.search(r'nav-link active"\s+aria-current="page"\s+href="/tickets/"', subscriptions)


def test_a_new_area_shows_at_once(personas, login, demo_area):  # noqa: F811 - the fixture
    client = login(personas.admin_a)
    membership = Membership.objects.get(user=personas.admin_a, company=personas.company_a)
    membership.areas = [*membership.areas, "demo"]
    membership.save()
    assert 'href="/demo-area/"' in nav(client.get(reverse("portal:overview")))


def test_a_new_area_registered_after_the_shell_was_kept_shows_at_once(personas, login, monkeypatch):
    from registry.areas import Area, registry

    client = login(personas.admin_a)
    Membership.objects.filter(user=personas.admin_a).update(areas=[*registry.keys(), "later"])
    personas.admin_a.refresh_from_db()
    before = nav(client.get(reverse("portal:overview")))
    assert "Added later" not in before
    later = Area(key="later", title="Added later", url_name="portal:overview", description="-", icon="flask")
    monkeypatch.setitem(registry._areas, later.key, later)
    assert "Added later" in nav(client.get(reverse("portal:overview")))


def test_signed_out_pages_keep_their_own_shell(client):
    page = client.get(reverse("account_login"))
    menu = nav(page)
    assert 'data-testid="language-da"' in menu and "settings-menu" not in menu
