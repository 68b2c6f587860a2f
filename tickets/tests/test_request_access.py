import uuid

import pytest
from django.urls import reverse

from companies.tests.factories import MembershipFactory
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


def test_the_403_page_links_to_a_prefilled_access_request(personas, login):
    response = login(personas.invoice_only_a).get(reverse("subscriptions:index"))
    assert response.status_code == 403
    assert response.context["access_request_url"] == reverse("tickets:request_access") + "?area=subscriptions"
    assert b"Ask us for access" in response.content


def test_the_read_only_403_page_links_to_a_request_for_full_access(personas, login):
    response = login(personas.readonly_a).post(reverse("tickets:create"), {})
    assert response.status_code == 403
    assert response.context["access_request_url"] == reverse("tickets:request_access") + "?area=tickets"


def test_an_admin_without_the_tickets_area_can_ask_for_access(personas, login):
    client = login(personas.invoice_only_a)
    form = client.get(reverse("tickets:request_access"), {"area": "subscriptions"}).context["form"]
    assert form.initial["area"] == "subscriptions"
    response = client.post(
        reverse("tickets:request_access"),
        {"area": "subscriptions", "message": "Jeg skal bestille SIM-kort", "submission_token": str(uuid.uuid4())},
    )
    ticket = Ticket.all_companies.get()
    assert response.status_code == 200
    assert ticket.number.encode() in response.content
    assert ticket.category == Category.ACCESS
    assert ticket.company == personas.company_a
    assert ticket.subject == "Access to Subscriptions"
    assert "Jeg skal bestille SIM-kort" in ticket.description
    # ...and still cannot see tickets.
    assert client.get(reverse("tickets:detail", kwargs={"ticket_id": ticket.pk})).status_code == 403


def test_a_double_submitted_access_request_makes_one_ticket(personas, login):
    data = {"area": "subscriptions", "submission_token": str(uuid.uuid4())}
    client = login(personas.invoice_only_a)
    client.post(reverse("tickets:request_access"), data)
    client.post(reverse("tickets:request_access"), data)
    assert Ticket.all_companies.count() == 1


def test_a_read_only_admin_can_ask_for_full_access(personas, login):
    response = login(personas.readonly_a).post(
        reverse("tickets:request_access"), {"area": "tickets", "submission_token": str(uuid.uuid4())}
    )
    ticket = Ticket.all_companies.get()
    assert response.status_code == 302
    assert "full (not read-only) access" in ticket.description


def test_it_only_offers_areas_the_admin_lacks(personas, login):
    form = login(personas.invoice_only_a).get(reverse("tickets:request_access")).context["form"]
    keys = [key for key, _ in form.fields["area"].choices]
    assert "invoice" not in keys
    assert "tickets" in keys


def test_it_refuses_an_unknown_area(personas, login):
    response = login(personas.invoice_only_a).post(reverse("tickets:request_access"), {"area": "invoice"})
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not Ticket.all_companies.exists()


def test_an_admin_with_full_access_everywhere_is_sent_back(personas, login):
    response = login(personas.admin_a).get(reverse("tickets:request_access"))
    assert response.status_code == 302


def test_it_needs_a_company(db, login):
    user = MembershipFactory().user
    user.memberships.all().delete()
    assert login(user).get(reverse("tickets:request_access")).status_code == 403
