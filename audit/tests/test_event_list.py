import pytest
from django.urls import reverse

from audit.actor import Actor
from audit.events import record

pytestmark = pytest.mark.django_db


def test_it_shows_who_did_what_in_the_active_company_only(login, personas):
    record("company.changed", by=Actor(user=personas.admin_a, ip_address="10.1.2.3"),
           company=personas.company_a, target=personas.company_a)
    record("company.changed", by=Actor(user=personas.outsider), company=personas.company_b,
           target=personas.company_b)
    response = login(personas.admin_a).get(reverse("audit:list"))
    assert response.status_code == 200
    assert b"Changed company" in response.content
    assert b"10.1.2.3" in response.content
    assert personas.admin_a.email.encode() in response.content
    assert personas.outsider.email.encode() not in response.content


def test_it_paginates(login, personas):
    for _ in range(30):
        record("company.changed", by=Actor.system(), company=personas.company_a, target=personas.company_a)
    page2 = login(personas.admin_a).get(reverse("audit:list"), {"page": 2})
    assert page2.context["page"].number == 2
    assert len(page2.context["page"].object_list) == 5


def test_it_ignores_an_unknown_filter(login, personas):
    assert login(personas.admin_a).get(reverse("audit:list"), {"area": "<script>"}).status_code == 200


def test_staff_see_every_companys_events_in_the_admin(login, personas):
    record("company.changed", by=Actor.system(), company=personas.company_b, target=personas.company_b)
    response = login(personas.staff).get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert b"Beta A/S" in response.content


def test_it_names_the_filter_choices_in_the_users_language(login, personas):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    response = login(personas.admin_a).get(reverse("audit:list"))
    labels = dict(response.context["prefixes"])
    assert str(labels["account"]) == "Log ind og profil"
    assert str(labels["company"]) == "Virksomhed"
    assert str(labels["ticket"]) == "Supportsager"
    assert b'value="membership" >Administratoradgang<' in response.content
    assert b">company<" not in response.content
