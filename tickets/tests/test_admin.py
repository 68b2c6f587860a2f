import pytest
from django.urls import reverse

from tickets.tests.factories import TicketAttachmentFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db


def test_staff_can_browse_tickets_in_django_admin(personas, login, ticket_a):
    TicketMessageFactory(ticket=ticket_a, is_internal=True)
    TicketAttachmentFactory(ticket=ticket_a)
    client = login(personas.staff)
    changelist = client.get(reverse("admin:tickets_ticket_changelist"))
    assert changelist.status_code == 200
    assert reverse("tickets:staff_queue").encode() in changelist.content
    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket_a.pk])).status_code == 200
    assert client.get(reverse("admin:tickets_ticketmessage_changelist")).status_code == 200
