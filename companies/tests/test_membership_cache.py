"""The active-company middleware keeps the memberships in the session and still sees every change at once."""

import pytest
from django.urls import reverse

from companies.middleware import CACHE_KEY
from companies.models import Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_sessions(settings):
    # Production's setup: sessions in the cache (Redis), so only the database's queries are counted.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"


@pytest.mark.urls("subscriptions.benchmarks.urls")
def test_a_floor_view_behind_the_middleware_costs_two_queries(
    cache_sessions, login, personas, django_assert_num_queries
):
    SubscriptionFactory.create_batch(3, company=personas.company_a)
    client = login(personas.admin_ab)
    client.get("/bench/floor/")  # the first request loads the memberships into the session
    # The user row (which carries the language and the access version) and the view's own query.
    with django_assert_num_queries(2):
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response.content.count(b"<tr>") == 3


def test_the_memberships_are_loaded_once_then_come_from_the_session(
    cache_sessions, login, personas, django_assert_num_queries
):
    client = login(personas.admin_ab)
    client.get(reverse("audit:list"))
    assert len(client.session[CACHE_KEY]["rows"]) == 2
    with django_assert_num_queries(2) as queries:  # the user row, the page's own count
        client.get(reverse("audit:list"))
    assert not any("companies_membership" in q["sql"] for q in queries.captured_queries)


def test_a_removed_grant_takes_effect_on_the_next_request(login, personas):
    client = login(personas.admin_a)
    assert client.get(reverse("subscriptions:index")).status_code == 200
    membership = Membership.objects.get(user=personas.admin_a, company=personas.company_a)
    membership.areas = ["tickets"]
    membership.save()
    assert client.get(reverse("subscriptions:index")).status_code == 403


def test_read_only_access_takes_effect_on_the_next_request(login, personas):
    client = login(personas.admin_a)
    page = client.get(reverse("subscriptions:index"))
    assert page.context["can_change"] is True
    assert client.get(reverse("subscriptions:index")).context["can_change"] is True
    membership = Membership.objects.get(user=personas.admin_a)
    membership.access = Membership.Access.READ_ONLY
    membership.save()
    assert client.get(reverse("subscriptions:index")).context["can_change"] is False


def test_a_new_membership_appears_in_the_switcher_on_the_next_request(login, personas):
    client = login(personas.admin_a)
    assert b"Gamma ApS" not in client.get(reverse("portal:overview")).content
    MembershipFactory(user=personas.admin_a, company=CompanyFactory(name="Gamma ApS"))
    assert b"Gamma ApS" in client.get(reverse("portal:overview")).content


def test_a_company_change_takes_effect_on_the_next_request(login, personas):
    client = login(personas.admin_a)
    assert client.get(reverse("subscriptions:index")).status_code == 200
    personas.company_a.name = "Alfa Renamed ApS"
    personas.company_a.require_mfa = True
    personas.company_a.save()
    response = client.get(reverse("subscriptions:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert b"Alfa Renamed ApS" in client.get(reverse("portal:overview"), follow=True).content


def test_a_deleted_company_is_gone_on_the_next_request(login, personas):
    client = login(personas.admin_ab)
    client.post(reverse("portal:switch_company"), {"company": personas.company_b.pk})
    assert client.get(reverse("portal:overview")).context["active_company"] == personas.company_b
    personas.company_b.delete()
    page = client.get(reverse("portal:overview"))
    assert page.context["active_company"] == personas.company_a
    assert b"Beta A/S" not in page.content


def test_the_cached_company_is_a_whole_company(login, personas):
    client = login(personas.admin_a)
    client.get(reverse("portal:overview"))
    company = client.get(reverse("portal:overview")).context["active_company"]
    fresh = type(company).objects.get(pk=company.pk)
    assert [getattr(company, f.attname) for f in fresh._meta.concrete_fields] == [
        getattr(fresh, f.attname) for f in fresh._meta.concrete_fields
    ]


def test_a_full_save_of_a_user_loaded_before_a_grant_change_keeps_the_change(login, personas):
    client = login(personas.admin_a)
    assert client.get(reverse("subscriptions:index")).status_code == 200
    stale = type(personas.admin_a).objects.get(pk=personas.admin_a.pk)  # e.g. a password change in progress
    membership = Membership.objects.get(user=personas.admin_a)
    membership.areas = ["tickets"]
    membership.save()
    stale.first_name = "Anna"
    stale.save()
    assert client.get(reverse("subscriptions:index")).status_code == 403
