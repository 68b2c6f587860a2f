"""The kept list body (subscriptions.kept_list): any change shows on the very next request."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from companies.models import Membership
from companies.tests.factories import MembershipFactory
from subscriptions import kept_list
from subscriptions.models import ListVersion, Subscription
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("subscriptions:index")


@pytest.fixture
def listed(personas):
    SubscriptionFactory(company=personas.company_a, user_name="Anna Andersen", cost_centre="Salg")
    SubscriptionFactory(company=personas.company_a, user_name="Bo Berg", cost_centre="Lager")
    return personas


def _kept_page(client, params=None):
    first = client.get(URL, params or {}).content.decode()
    assert kept_list._kept, "the first visit keeps the body"
    return first


def test_a_repeat_is_served_kept_with_the_same_body(listed, login, django_assert_num_queries):
    client = login(listed.admin_a)
    first = _kept_page(client)
    with django_assert_num_queries(3):  # session, user, the list version
        again = client.get(URL).content.decode()
    mask = re.compile(r'("X-CSRFToken": |name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')
    assert mask.sub("", again) == mask.sub("", first)
    # The htmx fragment is the same body.
    fragment = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Anna Andersen" in fragment and "<html" not in fragment


def _save(company):
    sub = Subscription.objects.get(company=company, user_name="Anna Andersen")
    sub.user_name = "Anna Changed"
    sub.save()


def _update(company):
    Subscription.objects.filter(company=company, user_name="Anna Andersen").update(user_name="Anna Changed")


def _bulk_create(company):
    product = Subscription.objects.filter(company=company).first().product
    Subscription.objects.bulk_create(
        [SubscriptionFactory.build(company=company, product=product, user_name="Anna Changed")]
    )


def _raw_sql(company):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE subscriptions_subscription SET user_name = %s WHERE company_id = %s AND user_name = %s",
            ["Anna Changed", company.pk, "Anna Andersen"],
        )


@pytest.mark.parametrize("write", [_save, _update, _bulk_create, _raw_sql], ids=lambda f: f.__name__)
def test_any_write_shows_on_the_next_request(listed, login, write):
    client = login(listed.admin_a)
    assert "Anna Changed" not in _kept_page(client)
    write(listed.company_a)
    assert "Anna Changed" in client.get(URL).content.decode()


def test_a_delete_shows_on_the_next_request(listed, login):
    client = login(listed.admin_a)
    assert "Bo Berg" in _kept_page(client)
    Subscription.objects.filter(company=listed.company_a, user_name="Bo Berg").delete()
    assert "Bo Berg" not in client.get(URL).content.decode()


def test_a_new_cost_centre_shows_in_the_rows_and_the_filter(listed, login):
    client = login(listed.admin_a)
    assert "Udvikling" not in _kept_page(client)
    Subscription.objects.filter(company=listed.company_a, user_name="Bo Berg").update(cost_centre="Udvikling")
    page = client.get(URL).content.decode()
    assert '<option value="Udvikling"' in page and "<td>Udvikling</td>" in page


def test_a_renamed_type_shows_on_the_next_request(listed, login):
    product = ProductFactory(code="zz-kept", name="Kept Plan")
    SubscriptionFactory(company=listed.company_a, user_name="Cai Carlsen", product=product)
    client = login(listed.admin_a)
    assert "Kept Plan" in _kept_page(client)
    product.name = "Renamed Plan"
    product.save()
    page = client.get(URL).content.decode()
    assert "Renamed Plan" in page and "<td>Kept Plan</td>" not in page


def test_a_language_switch_shows_on_the_next_request(listed, login):
    client = login(listed.admin_a)
    assert "Cost centre" in _kept_page(client)
    listed.admin_a.language = "da"
    listed.admin_a.save()
    page = client.get(URL).content.decode()
    assert "Omkostningssted" in page and '<th scope="col">Cost centre</th>' not in page


def test_a_narrowed_grant_shows_on_the_next_request(listed, login):
    head = MembershipFactory(company=listed.company_a, areas=["subscriptions"])
    client = login(head.user)
    page = _kept_page(client)
    assert "Anna Andersen" in page and "Bo Berg" in page and 'name="ids"' in page
    head.cost_centres = ["Lager"]
    head.save()
    page = client.get(URL).content.decode()
    assert "Bo Berg" in page and "Anna Andersen" not in page
    head.cost_centres = []
    head.access = Membership.Access.READ_ONLY
    head.save()
    page = client.get(URL).content.decode()
    assert "Anna Andersen" in page and 'name="ids"' not in page


def test_another_users_visit_gets_their_own_token_and_shell(listed):
    other = MembershipFactory(company=listed.company_a, areas=listed.admin_a.memberships.get().areas).user
    first = Client()
    first.force_login(listed.admin_a, backend="django.contrib.auth.backends.ModelBackend")
    _kept_page(first)
    second = Client(enforce_csrf_checks=True)
    second.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    page = second.get(URL).content.decode()
    assert other.email in page and listed.admin_a.email not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = second.post(reverse("subscriptions:bulk"), {"csrfmiddlewaretoken": token})
    assert answer.status_code != 403  # the token in a kept page is this user's own


def test_the_version_is_per_company_and_kept_by_the_database(listed):
    before = {v.company_id: v.version for v in ListVersion.all_companies.all()}
    SubscriptionFactory(company=listed.company_b)
    after = {v.company_id: v.version for v in ListVersion.all_companies.all()}
    assert after[listed.company_b.pk] > before.get(listed.company_b.pk, 0)
    assert after[listed.company_a.pk] == before[listed.company_a.pk]
