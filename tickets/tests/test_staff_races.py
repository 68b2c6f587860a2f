"""Two staff changing one ticket's status: the second is told who changed it, nothing is overwritten."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from tickets.models import Status
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_the_second_status_change_from_a_stale_page_names_who_changed_it(personas, login):
    ticket = TicketFactory(company=personas.company_a, status=Status.NEW)
    url = reverse("tickets:staff_status", kwargs={"ticket_id": ticket.pk})
    other = UserFactory(email="kim@operator.example", is_staff=True)
    page = login(personas.staff).get(reverse("tickets:staff_detail", kwargs={"ticket_id": ticket.pk}))
    assert 'name="seen_status" value="new"' in page.content.decode()  # the page remembers what it showed

    first = login(other).post(url, {"status": Status.IN_PROGRESS, "reason": "", "seen_status": Status.NEW})
    second = login(personas.staff).post(url, {"status": Status.RESOLVED, "reason": "Done", "seen_status": Status.NEW})

    assert first.status_code == 302
    assert second.status_code == 400
    assert "kim@operator.example set it to in progress" in second.content.decode().lower()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.status_changes.count() == 1
