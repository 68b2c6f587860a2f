import pytest
from django.urls import reverse

from tickets.models import TicketRead
from tickets.tests.factories import TicketAttachmentFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_ticket_and_its_conversation(personas, login, ticket_a):
    TicketMessageFactory(ticket=ticket_a, body="Vi kigger på det.", from_staff=True, author_name="Sofie")
    TicketAttachmentFactory(ticket=ticket_a, original_name="skærmbillede.pdf")
    response = login(personas.admin_a).get(reverse("tickets:detail", kwargs={"ticket_id": ticket_a.pk}))
    content = response.content.decode()
    assert response.status_code == 200
    assert ticket_a.subject in content
    assert ticket_a.description in content
    assert "Vi kigger på det." in content
    assert "skærmbillede.pdf" in content
    assert 'data-testid="status-history"' in content
    assert 'data-testid="reply-form"' in content


def test_it_never_shows_internal_notes(personas, login, ticket_a):
    note = TicketMessageFactory(ticket=ticket_a, body="Kunden er sur, giv rabat", from_staff=True, is_internal=True)
    TicketAttachmentFactory(ticket=ticket_a, message=note, is_internal=True, original_name="intern.pdf")
    response = login(personas.admin_a).get(reverse("tickets:detail", kwargs={"ticket_id": ticket_a.pk}))
    assert b"Kunden er sur" not in response.content
    assert b"intern.pdf" not in response.content


def test_it_answers_404_for_internal_notes_and_their_files(personas, login, ticket_a):
    note = TicketMessageFactory(ticket=ticket_a, from_staff=True, is_internal=True)
    attachment = TicketAttachmentFactory(ticket=ticket_a, message=note, is_internal=True)
    client = login(personas.admin_a)
    assert client.get(reverse("tickets:message", kwargs={"message_id": note.pk})).status_code == 404
    assert client.get(reverse("tickets:attachment", kwargs={"attachment_id": attachment.pk})).status_code == 404


def test_it_redirects_a_message_link_to_its_ticket(personas, login, ticket_a):
    message = TicketMessageFactory(ticket=ticket_a)
    response = login(personas.admin_a).get(reverse("tickets:message", kwargs={"message_id": message.pk}))
    assert response["Location"].endswith(f"/tickets/{ticket_a.pk}/#message-{message.pk}")


def test_it_marks_the_ticket_read(personas, login, ticket_a):
    login(personas.admin_a).get(reverse("tickets:detail", kwargs={"ticket_id": ticket_a.pk}))
    assert TicketRead.objects.filter(user=personas.admin_a, ticket=ticket_a).exists()


def test_it_shows_no_action_buttons_to_read_only_admins(personas, login, ticket_a):
    response = login(personas.readonly_a).get(reverse("tickets:detail", kwargs={"ticket_id": ticket_a.pk}))
    assert response.status_code == 200
    assert b'data-testid="reply-form"' not in response.content
    assert b'data-testid="close-ticket"' not in response.content


def test_it_answers_404_for_another_companys_ticket(personas, login, ticket_b):
    response = login(personas.admin_a).get(reverse("tickets:detail", kwargs={"ticket_id": ticket_b.pk}))
    assert response.status_code == 404


def test_it_answers_404_for_a_missing_ticket(personas, login):
    assert login(personas.admin_a).get(reverse("tickets:detail", kwargs={"ticket_id": 99999})).status_code == 404


@pytest.mark.parametrize("size", [1, 20])
def test_it_costs_a_fixed_number_of_queries(personas, login, ticket_a, django_assert_num_queries, size):
    for _ in range(size):
        message = TicketMessageFactory(ticket=ticket_a)
        TicketAttachmentFactory(ticket=ticket_a, message=message)
    client = login(personas.admin_a)
    url = reverse("tickets:detail", kwargs={"ticket_id": ticket_a.pk})
    client.get(url)
    # session, user, memberships; ticket, messages, their files, ticket files, status history;
    # the read marker (savepoint, select, update, release); no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware).
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200
