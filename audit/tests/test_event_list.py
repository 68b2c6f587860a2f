import pytest
from django.urls import reverse

from audit.actor import Actor
from audit.events import record

pytestmark = pytest.mark.django_db


def test_it_shows_who_did_what_in_the_active_company_only(login, personas):
    record(
        "company.changed",
        by=Actor(user=personas.admin_a, ip_address="10.1.2.3"),
        company=personas.company_a,
        target=personas.company_a,
    )
    record("company.changed", by=Actor(user=personas.outsider), company=personas.company_b, target=personas.company_b)
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


AREA_EVENTS = {
    "tickets": "ticket.created",
    "subscriptions": "subscription.secret_revealed",
    "numbers": "numbers.port_created",
    "invoice": "invoice.issued",
    "products": "products.order_placed",
}


def test_every_area_has_a_sample_event():
    from registry.areas import registry

    assert set(AREA_EVENTS) == set(registry.keys())


@pytest.mark.parametrize("area", sorted(AREA_EVENTS))
def test_an_admin_sees_only_the_events_of_the_areas_they_hold(login, personas, area):
    from companies.tests.factories import MembershipFactory

    for action in AREA_EVENTS.values():
        record(action, by=Actor.system(label=f"by-{action}"), company=personas.company_a)
    record("membership.created", by=Actor.system(label="by-membership"), company=personas.company_a)
    admin = MembershipFactory(company=personas.company_a, user__email=f"only-{area}@alfa.dk", areas=[area]).user
    client = login(admin)
    response = client.get(reverse("audit:list"))
    shown = {event.action for event in response.context["page"].object_list}
    assert shown == {AREA_EVENTS[area], "membership.created"}
    # Nor through the filter.
    for other, action in AREA_EVENTS.items():
        if other != area:
            prefix = action.split(".")[0]
            filtered = client.get(reverse("audit:list"), {"area": prefix})
            assert action not in {e.action for e in filtered.context["page"].object_list}
            assert prefix not in dict(filtered.context["prefixes"])


def test_an_admin_of_all_areas_sees_every_event(login, personas):
    for action in AREA_EVENTS.values():
        record(action, by=Actor.system(), company=personas.company_a)
    response = login(personas.admin_a).get(reverse("audit:list"))
    assert {event.action for event in response.context["page"].object_list} == set(AREA_EVENTS.values())
