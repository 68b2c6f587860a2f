"""Idempotency-Key on POST: a retry returns the first response, never a second ticket."""

import datetime

import pytest
from django.utils import timezone

from api.models import IdempotentResponse
from tickets.models import Ticket, TicketMessage
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

TICKETS = "/tmf-api/troubleTicket/v4/troubleTicket"
NEW = {"name": "Ingen forbindelse", "description": "Telefonen virker ikke", "ticketType": "technical_fault"}


def test_the_same_key_returns_the_first_response(personas, api_a):
    first = api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1")
    again = api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.for_company(personas.company_a).count() == 1


def test_without_a_key_each_post_is_a_new_ticket(personas, api_a):
    api_a.post(TICKETS, NEW)
    api_a.post(TICKETS, NEW)
    assert Ticket.objects.for_company(personas.company_a).count() == 2


def test_another_body_with_the_same_key_is_refused(personas, api_a):
    api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1")
    response = api_a.post(TICKETS, {**NEW, "name": "Noget andet"}, HTTP_IDEMPOTENCY_KEY="order-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.for_company(personas.company_a).count() == 1


def test_keys_are_per_client(personas, api_a, caller):
    other = caller(personas.company_a, name="Andet system")
    api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1")
    assert other.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1").status_code == 201
    assert Ticket.objects.for_company(personas.company_a).count() == 2


def test_a_key_is_kept_for_24_hours(personas, api_a):
    api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1")
    IdempotentResponse.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1").status_code == 201
    assert Ticket.objects.for_company(personas.company_a).count() == 2
    assert IdempotentResponse.objects.count() == 1


def test_a_failed_write_stores_nothing_so_the_retry_runs_again(personas, api_a):
    bad = api_a.post(TICKETS, {**NEW, "ticketType": "nope"}, HTTP_IDEMPOTENCY_KEY="order-1")
    assert bad.status_code == 422
    assert not IdempotentResponse.objects.exists()
    assert api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="order-1").status_code == 201


def test_a_note_is_added_once(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    for _ in range(3):
        response = api_a.post(f"{TICKETS}/{ticket.pk}/note", {"text": "Hej"}, HTTP_IDEMPOTENCY_KEY="reply-7")
        assert response.status_code == 201
    assert TicketMessage.objects.for_company(personas.company_a).filter(ticket=ticket).count() == 1


@pytest.mark.parametrize("key", ["x" * 256, "blå", " "])
def test_a_malformed_key_answers_422(personas, api_a, key):
    response = api_a.post(TICKETS, NEW, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 422
    assert not Ticket.objects.for_company(personas.company_a).exists()
