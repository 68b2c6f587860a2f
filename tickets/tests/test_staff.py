import pytest
from django.urls import reverse

from tickets.models import TRANSITIONS, Category, Status, TicketMessage
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _url(name, ticket):
    return reverse(name, kwargs={"ticket_id": ticket.pk})


def test_it_lists_every_companys_tickets_for_staff(personas, login, ticket_a, ticket_b):
    response = login(personas.staff).get(reverse("tickets:staff_queue"))
    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {ticket_a, ticket_b}


def test_it_hides_the_queue_from_customers(personas, login, ticket_a):
    assert login(personas.admin_a).get(reverse("tickets:staff_queue")).status_code == 404
    assert login(personas.admin_a).get(_url("tickets:staff_detail", ticket_a)).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("tickets:staff_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_filters_by_status_category_company_and_assignee(personas, login):
    mine = TicketFactory(
        company=personas.company_a, status=Status.IN_PROGRESS, category=Category.INVOICE, assignee=personas.staff
    )
    TicketFactory(company=personas.company_a, status=Status.IN_PROGRESS, category=Category.OTHER)
    TicketFactory(company=personas.company_b, status=Status.IN_PROGRESS, category=Category.INVOICE)
    TicketFactory(company=personas.company_a, status=Status.CLOSED, category=Category.INVOICE, assignee=personas.staff)
    query = {"status": "in_progress", "category": "invoice", "company": personas.company_a.pk, "assignee": "me"}
    response = login(personas.staff).get(reverse("tickets:staff_queue"), query)
    assert list(response.context["page"].object_list) == [mine]


def test_it_shows_open_tickets_by_default(personas, login):
    open_ticket = TicketFactory(company=personas.company_a, status=Status.PENDING)
    TicketFactory(company=personas.company_a, status=Status.CLOSED)
    response = login(personas.staff).get(reverse("tickets:staff_queue"))
    assert list(response.context["page"].object_list) == [open_ticket]


def test_it_assigns_to_self(personas, login, ticket_a):
    login(personas.staff).post(_url("tickets:staff_assign", ticket_a))
    ticket_a.refresh_from_db()
    assert ticket_a.assignee == personas.staff


def test_it_replies_and_moves_a_new_ticket_in_progress(personas, login, ticket_a):
    login(personas.staff).post(_url("tickets:staff_reply", ticket_a), {"body": "Vi kigger på det."})
    ticket_a.refresh_from_db()
    message = TicketMessage.all_companies.get()
    assert message.from_staff and not message.is_internal
    assert ticket_a.status == Status.IN_PROGRESS
    assert ticket_a.last_staff_reply_at == message.created_at


def test_it_keeps_internal_notes_from_customers(personas, login, ticket_a):
    login(personas.staff).post(_url("tickets:staff_reply", ticket_a), {"body": "Ring til CRM", "internal": "on"})
    ticket_a.refresh_from_db()
    assert TicketMessage.all_companies.get().is_internal
    assert ticket_a.last_staff_reply_at is None
    staff_page = login(personas.staff).get(_url("tickets:staff_detail", ticket_a))
    customer_page = login(personas.admin_a).get(_url("tickets:detail", ticket_a))
    assert b"Ring til CRM" in staff_page.content
    assert b"Ring til CRM" not in customer_page.content


def test_it_refuses_an_empty_staff_reply(personas, login, ticket_a):
    response = login(personas.staff).post(_url("tickets:staff_reply", ticket_a), {"body": "  "})
    assert response.status_code == 400
    assert not TicketMessage.all_companies.exists()


ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a in Status.values for b in Status.values if b not in TRANSITIONS[a]]


@pytest.mark.parametrize("from_status, to_status", ALLOWED)
def test_it_allows_the_transitions_in_the_table(personas, login, from_status, to_status):
    ticket = TicketFactory(company=personas.company_a, status=from_status)
    login(personas.staff).post(_url("tickets:staff_status", ticket), {"status": to_status, "reason": "Fordi"})
    ticket.refresh_from_db()
    assert ticket.status == to_status
    change = ticket.status_changes.get()
    assert (change.from_status, change.to_status, change.reason) == (from_status, to_status, "Fordi")


@pytest.mark.parametrize("from_status, to_status", REFUSED)
def test_it_refuses_other_transitions_and_says_why(personas, login, from_status, to_status):
    ticket = TicketFactory(company=personas.company_a, status=from_status)
    response = login(personas.staff).post(_url("tickets:staff_status", ticket), {"status": to_status, "reason": "x"})
    ticket.refresh_from_db()
    assert response.status_code == 400
    assert ticket.status == from_status
    errors = " ".join(response.context["status_form"].non_field_errors())
    assert str(Status(from_status).label).lower() in errors.lower()


def test_it_lists_the_allowed_targets_in_the_refusal(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.NEW)
    response = login(personas.staff).post(_url("tickets:staff_status", ticket), {"status": "closed"})
    errors = " ".join(response.context["status_form"].non_field_errors())
    assert "cannot go from New to Closed" in errors
    assert "Acknowledged, In progress" in errors


@pytest.mark.parametrize("to_status", [Status.REJECTED, Status.CANCELLED, Status.HELD])
def test_it_requires_a_reason_to_stop_a_ticket(personas, login, ticket_a, to_status):
    response = login(personas.staff).post(_url("tickets:staff_status", ticket_a), {"status": to_status})
    ticket_a.refresh_from_db()
    assert response.status_code == 400
    assert ticket_a.status == Status.NEW


def test_it_refuses_a_staff_reply_to_the_customer_on_a_closed_ticket(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.CLOSED)
    response = login(personas.staff).post(_url("tickets:staff_reply", ticket), {"body": "Hej"})
    assert response.status_code == 400
    assert not TicketMessage.all_companies.exists()


@pytest.mark.parametrize("size", [3, 60])
def test_the_queue_costs_a_fixed_number_of_queries(personas, login, django_assert_num_queries, size):
    for index in range(size):
        TicketFactory(company=personas.company_a if index % 2 else personas.company_b, assignee=personas.staff)
    client = login(personas.staff)
    client.get(reverse("tickets:staff_queue"))
    # session, user (memberships from the session), companies for the filter, count, page (with company and assignee joined),
    # and no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware).
    with django_assert_num_queries(5):
        assert client.get(reverse("tickets:staff_queue")).status_code == 200
