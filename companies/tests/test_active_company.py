import pytest
from django.urls import reverse

from companies.models import Membership
from companies.tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_it_switches_company_and_remembers_the_choice(login, personas):
    client = login(personas.admin_ab)
    assert b"Alfa ApS" in client.get(reverse("portal:overview")).content
    response = client.post(reverse("portal:switch_company"), {"company": personas.company_b.pk, "next": "/"})
    assert response.status_code == 302
    for _ in range(2):
        page = client.get(reverse("portal:overview"))
        assert page.context["active_company"] == personas.company_b


def test_it_cannot_switch_to_a_company_the_user_is_not_admin_of(login, personas):
    client = login(personas.admin_a)
    client.post(reverse("portal:switch_company"), {"company": personas.company_b.pk})
    assert client.get(reverse("portal:overview")).context["active_company"] == personas.company_a


def test_it_ignores_garbage_company_ids(login, personas):
    client = login(personas.admin_a)
    response = client.post(reverse("portal:switch_company"), {"company": "'; drop table"})
    assert response.status_code == 302
    assert client.get(reverse("portal:overview")).context["active_company"] == personas.company_a


def test_a_removed_membership_stops_working_on_the_next_request(login, personas):
    client = login(personas.admin_ab)
    client.post(reverse("portal:switch_company"), {"company": personas.company_b.pk})
    Membership.objects.filter(user=personas.admin_ab, company=personas.company_b).delete()
    page = client.get(reverse("portal:overview"))
    assert page.context["active_company"] == personas.company_a
    assert b"Beta A/S" not in page.content


def test_a_user_without_memberships_sees_how_to_get_access(login, personas):
    page = login(personas.staff).get(reverse("portal:overview"))
    assert page.status_code == 200
    assert b"not an admin of any company" in page.content
    assert login(personas.staff).get(reverse("audit:list")).status_code == 403


def test_the_shell_costs_the_same_queries_for_2_or_200_companies(login, personas, django_assert_num_queries):
    client = login(personas.admin_ab)
    client.get(reverse("portal:overview"))  # warm the session
    # The memberships come from the session (companies.middleware): one query fewer than the 7 of before.
    with django_assert_num_queries(3) as few:
        client.get(reverse("audit:list"))
    count = len(few.captured_queries)
    for company in CompanyFactory.create_batch(198):
        MembershipFactory(user=personas.admin_ab, company=company)
    client.get(reverse("audit:list"))  # the new memberships are loaded once (one query), then cached
    with django_assert_num_queries(count):
        response = client.get(reverse("audit:list"))
    assert response.content.count(b'name="company"') == 200


def test_switching_stays_on_a_list_page_but_leaves_an_object_page(login, personas):
    client = login(personas.admin_ab)
    stay = client.post(reverse("portal:switch_company"), {"company": personas.company_b.pk, "next": "/audit/"})
    assert stay["Location"] == "/audit/"
    leave = client.post(
        reverse("portal:switch_company"),
        {"company": personas.company_a.pk, "next": "/operator/admin/companies/company/1/change/"},
    )
    assert leave["Location"] == reverse("portal:overview")
    offsite = client.post(
        reverse("portal:switch_company"), {"company": personas.company_a.pk, "next": "https://evil.example/"}
    )
    assert offsite["Location"] == reverse("portal:overview")
