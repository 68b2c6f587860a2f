"""TMF621 troubleTicket: the company's support tickets, through the tickets actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from subscriptions.tests.factories import SubscriptionFactory
from tickets.models import Status, Ticket, TicketMessage
from tickets.tests.factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

TICKETS = "/tmf-api/troubleTicket/v4/troubleTicket"
NEW = {"name": "Ingen forbindelse", "description": "Telefonen virker ikke", "ticketType": "technical_fault"}


def test_it_lists_only_the_companys_tickets(personas, api_a):
    mine = TicketFactory(company=personas.company_a)
    TicketFactory(company=personas.company_b)
    response = api_a.get(TICKETS)
    assert response.status_code == 200
    assert [t["id"] for t in response.json()] == [str(mine.pk)]
    assert response.json()[0]["externalId"] == mine.number
    assert response["X-Total-Count"] == "1"


def test_it_maps_statuses_to_tmf621(personas, api_a):
    TicketFactory(company=personas.company_a, status=Status.NEW)
    TicketFactory(company=personas.company_a, status=Status.IN_PROGRESS)
    TicketFactory(company=personas.company_a, status=Status.PENDING)
    assert sorted(t["status"] for t in api_a.get(TICKETS).json()) == ["acknowledged", "inProgress", "pending"]
    assert [t["status"] for t in api_a.get(TICKETS, {"status": "inProgress"}).json()] == ["inProgress"]
    assert api_a.get(TICKETS, {"status": "new"}).status_code == 422


def test_the_list_costs_the_same_queries_for_2_and_30_tickets(personas, api_a):
    for _ in range(2):
        TicketFactory(company=personas.company_a, related_subscription=SubscriptionFactory(company=personas.company_a))
    api_a.get(TICKETS)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api_a.get(TICKETS, {"limit": 100}).status_code == 200
        return len(queries)

    small = count()
    for _ in range(28):
        TicketFactory(company=personas.company_a, related_subscription=SubscriptionFactory(company=personas.company_a))
    assert count() == small


def test_it_reads_a_ticket_with_its_conversation_but_never_internal_notes(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    TicketMessageFactory(ticket=ticket, body="Vi kigger på det", from_staff=True)
    TicketMessageFactory(ticket=ticket, body="Intern: kunden er sur", is_internal=True, from_staff=True)
    item = api_a.get(f"{TICKETS}/{ticket.pk}").json()
    assert item["@type"] == "TroubleTicket"
    assert [n["text"] for n in item["note"]] == ["Vi kigger på det"]
    assert "Intern" not in str(item)


def test_it_creates_a_ticket_through_the_action_audited_as_the_client(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    body = {**NEW, "priority": "High", "relatedEntity": [{"id": str(sub.pk), "@referredType": "Product"}]}
    response = api_a.post(TICKETS, body)
    assert response.status_code == 201
    item = response.json()
    assert response["Location"] == item["href"]
    ticket = Ticket.objects.for_company(personas.company_a).get(pk=item["id"])
    assert (ticket.company, ticket.subject, ticket.priority, ticket.related_subscription) == (
        personas.company_a,
        "Ingen forbindelse",
        "high",
        sub,
    )
    assert ticket.created_by == api_a.client.user
    assert item["status"] == "acknowledged"
    assert item["relatedEntity"][0]["id"] == str(sub.pk)
    event = AuditEvent.objects.for_company(personas.company_a).get(action="ticket.created", target_id=str(ticket.pk))
    assert event.actor == api_a.client.user


def test_it_refuses_another_companys_product_as_related_entity(personas, api_a):
    theirs = SubscriptionFactory(company=personas.company_b)
    body = {**NEW, "relatedEntity": [{"id": str(theirs.pk)}]}
    response = api_a.post(TICKETS, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "relatedEntity[0].id"
    assert not Ticket.objects.for_company(personas.company_a).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "ticketType": "complaint"}, "ticketType"),
        ({**NEW, "priority": "Urgent"}, "priority"),
        ({**NEW, "name": ""}, "name"),
        ({**NEW, "name": "x" * 151}, "name"),
        ({"name": "x", "ticketType": "other"}, "description"),
        ({**NEW, "relatedEntity": [{"id": "abc"}]}, "relatedEntity[0].id"),
        ({**NEW, "unknown": 1}, "unknown"),
    ],
)
def test_it_refuses_bad_tickets_with_field_paths(personas, api_a, body, field):
    response = api_a.post(TICKETS, body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Ticket.objects.for_company(personas.company_a).exists()


def test_it_adds_a_note_as_the_customers_reply(personas, api_a):
    ticket = TicketFactory(company=personas.company_a, status=Status.PENDING)
    response = api_a.post(f"{TICKETS}/{ticket.pk}/note", {"text": "Her er oplysningerne"})
    assert response.status_code == 201
    assert response.json()["text"] == "Her er oplysningerne"
    message = TicketMessage.objects.for_company(personas.company_a).get(ticket=ticket)
    assert message.author == api_a.client.user and not message.from_staff
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS  # the answer we were waiting for
    assert (
        AuditEvent.objects.for_company(personas.company_a)
        .filter(action="ticket.replied", actor=api_a.client.user)
        .exists()
    )


def test_a_closed_ticket_answers_409(personas, api_a):
    ticket = TicketFactory(company=personas.company_a, status=Status.CLOSED)
    response = api_a.post(f"{TICKETS}/{ticket.pk}/note", {"text": "Hallo?"})
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_closed"


def test_a_blank_note_answers_422(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    assert api_a.post(f"{TICKETS}/{ticket.pk}/note", {"text": "   "}).status_code == 422


def test_it_answers_404_for_another_companys_ticket(personas, api_a):
    theirs = TicketFactory(company=personas.company_b)
    assert api_a.get(f"{TICKETS}/{theirs.pk}").status_code == 404
    assert api_a.post(f"{TICKETS}/{theirs.pk}/note", {"text": "Hej"}).status_code == 404
    assert not TicketMessage.objects.for_company(personas.company_b).filter(ticket=theirs).exists()


def test_the_documented_values_match_the_tickets_area():
    from typing import get_args

    from api import schemas, troubletickets
    from tickets.models import Category, Priority

    assert set(get_args(schemas.TicketType)) == set(Category.values)
    assert set(get_args(schemas.TicketStatus)) == set(troubletickets.STATUS_FROM_TMF)
    assert set(get_args(schemas.Priority)) == {troubletickets.PRIORITY_TO_TMF[p] for p in Priority.values}
