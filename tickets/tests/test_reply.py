import pytest
from django.urls import reverse

from tickets.models import Status, TicketMessage
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _url(ticket, name="tickets:reply"):
    return reverse(name, kwargs={"ticket_id": ticket.pk})


def test_it_adds_a_reply(personas, login, ticket_a):
    response = login(personas.admin_a).post(_url(ticket_a), {"body": "Det virker stadig ikke."})
    assert response.status_code == 302
    message = TicketMessage.all_companies.get(ticket=ticket_a)
    assert message.body == "Det virker stadig ikke."
    assert message.author == personas.admin_a
    assert not message.from_staff


def test_it_moves_a_pending_ticket_back_in_progress(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.PENDING)
    login(personas.admin_a).post(_url(ticket), {"body": "Her er oplysningerne."})
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.status_changes.last().to_status == Status.IN_PROGRESS


@pytest.mark.parametrize("body", ["", "   ", "x" * 10001])
def test_it_refuses_bad_replies(personas, login, ticket_a, body):
    response = login(personas.admin_a).post(_url(ticket_a), {"body": body})
    assert response.status_code == 400
    assert response.context["reply_form"].errors
    assert not TicketMessage.all_companies.exists()


def test_it_refuses_replies_on_a_closed_ticket(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.CLOSED)
    response = login(personas.admin_a).post(_url(ticket), {"body": "Hallo?"})
    assert response.status_code == 400
    assert b"create a new ticket" in response.content
    assert not TicketMessage.all_companies.exists()


def test_it_refuses_read_only_admins(personas, login, ticket_a):
    response = login(personas.readonly_a).post(_url(ticket_a), {"body": "Hej"})
    assert response.status_code == 403
    assert not TicketMessage.all_companies.exists()


def test_it_answers_404_for_another_companys_ticket(personas, login, ticket_b):
    assert login(personas.admin_a).post(_url(ticket_b), {"body": "Hej"}).status_code == 404
    assert not TicketMessage.all_companies.exists()


def test_it_closes_an_open_ticket(personas, login, ticket_a):
    login(personas.admin_a).post(_url(ticket_a, "tickets:close"))
    ticket_a.refresh_from_db()
    assert ticket_a.status == Status.CLOSED


def test_it_reopens_a_resolved_ticket(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.RESOLVED)
    login(personas.admin_a).post(_url(ticket, "tickets:reopen"), {"reason": "Fejlen er tilbage"})
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.status_reason == "Fejlen er tilbage"


@pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS, Status.CLOSED, Status.REJECTED])
def test_it_refuses_to_reopen_a_ticket_that_is_not_resolved(personas, login, status):
    ticket = TicketFactory(company=personas.company_a, status=status)
    response = login(personas.admin_a).post(_url(ticket, "tickets:reopen"), follow=True)
    ticket.refresh_from_db()
    assert ticket.status == status
    assert b"Only a resolved ticket can be reopened" in response.content


def test_it_refuses_to_close_a_closed_ticket(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.CANCELLED)
    response = login(personas.admin_a).post(_url(ticket, "tickets:close"), follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED
    assert b"already cancelled" in response.content
