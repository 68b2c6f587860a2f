from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import MembershipFactory
from tickets.models import Category, Status, Ticket, TicketRead
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _bulk(company, count, *, status=Status.NEW):
    now = timezone.now()
    Ticket.objects.bulk_create(
        [
            Ticket(
                company=company,
                number=f"T-2025-{i:06d}-{company.pk}",
                subject=f"Sag {i}",
                description="x",
                category=Category.OTHER,
                status=status,
                created_at=now - timedelta(minutes=i),
                last_activity_at=now - timedelta(minutes=i),
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def test_it_lists_the_companys_tickets_on_the_overview(personas, login, ticket_a, ticket_b):
    response = login(personas.admin_a).get(reverse("portal:overview"))
    assert response.status_code == 200
    assert b"My support tickets" in response.content
    assert ticket_a.number.encode() in response.content
    assert ticket_b.number.encode() not in response.content
    assert reverse("tickets:detail", kwargs={"ticket_id": ticket_a.pk}).encode() in response.content
    assert b'data-testid="create-ticket"' in response.content


def test_it_shows_newest_activity_first(personas, login):
    now = timezone.now()
    old = TicketFactory(company=personas.company_a, last_activity_at=now - timedelta(days=3))
    new = TicketFactory(company=personas.company_a, last_activity_at=now)
    page = login(personas.admin_a).get(reverse("tickets:index")).context["tickets_page"]
    assert list(page.object_list) == [new, old]


def test_it_filters_open_and_closed(personas, login):
    open_ticket = TicketFactory(company=personas.company_a, status=Status.IN_PROGRESS)
    closed = TicketFactory(company=personas.company_a, status=Status.CLOSED)
    client = login(personas.admin_a)
    assert list(client.get(reverse("tickets:index")).context["tickets_page"].object_list) == [open_ticket]
    closed_page = client.get(reverse("tickets:index"), {"tstate": "closed"}).context["tickets_page"]
    assert list(closed_page.object_list) == [closed]
    assert len(client.get(reverse("tickets:index"), {"tstate": "all"}).context["tickets_page"].object_list) == 2


def test_it_searches_by_number_or_subject(personas, login):
    printer = TicketFactory(company=personas.company_a, subject="Printeren virker ikke", number="T-2026-000777")
    TicketFactory(company=personas.company_a, subject="Roaming", number="T-2026-000778")
    client = login(personas.admin_a)
    by_subject = client.get(reverse("tickets:index"), {"tq": "printer"}).context["tickets_page"].object_list
    by_number = client.get(reverse("tickets:index"), {"tq": "000777"}).context["tickets_page"].object_list
    assert list(by_subject) == [printer]
    assert list(by_number) == [printer]


def test_it_paginates_on_the_server(personas, login, settings):
    _bulk(personas.company_a, settings.PAGE_SIZE + 5)
    client = login(personas.admin_a)
    first = client.get(reverse("tickets:index")).context["tickets_page"]
    second = client.get(reverse("tickets:index"), {"tpage": 2}).context["tickets_page"]
    assert len(first.object_list) == settings.PAGE_SIZE
    assert len(second.object_list) == 5


def test_it_marks_unread_staff_replies(personas, login):
    now = timezone.now()
    unread = TicketFactory(company=personas.company_a, last_staff_reply_at=now)
    read = TicketFactory(company=personas.company_a, last_staff_reply_at=now - timedelta(hours=1))
    TicketRead.objects.create(user=personas.admin_a, ticket=read, read_at=now)
    response = login(personas.admin_a).get(reverse("tickets:index"))
    marks = {t.pk: t.unread for t in response.context["tickets_page"].object_list}
    assert marks == {unread.pk: True, read.pk: False}
    assert response.content.count(b'data-testid="unread-badge"') == 1


def test_it_hides_the_create_button_from_read_only_admins(personas, login, ticket_a):
    response = login(personas.readonly_a).get(reverse("portal:overview"))
    assert ticket_a.number.encode() in response.content
    assert b'data-testid="create-ticket"' not in response.content


def test_it_shows_no_section_without_the_area(personas, login, ticket_a):
    response = login(personas.invoice_only_a).get(reverse("portal:overview"))
    assert b"My support tickets" not in response.content


@pytest.mark.parametrize("size", [30, 5000])
def test_it_costs_a_fixed_number_of_queries(personas, login, django_assert_num_queries, size):
    _bulk(personas.company_a, size)
    # Only the tickets area, so other areas' overview sections do not count here.
    admin = MembershipFactory(company=personas.company_a, areas=["tickets"]).user
    client = login(admin)
    client.get(reverse("portal:overview"))  # warm the session
    # The section is kept until the company's tickets change (portal.overview): session, user.
    with django_assert_num_queries(2):
        client.get(reverse("portal:overview"), {"tq": "Sag"})
    caches["template_fragments"].clear()
    # Rendered afresh: session, user (memberships from the session), tickets count, tickets page (with its
    # last-read subquery), and no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware).
    with django_assert_num_queries(4):
        response = client.get(reverse("portal:overview"), {"tq": "Sag"})
    assert response.status_code == 200


def test_it_searches_with_a_nul_byte_without_a_server_error(personas, login):
    """PostgreSQL refuses NUL bytes in text parameters (a DataError, so a 500)."""
    from tickets.tests.factories import TicketFactory

    TicketFactory(company=personas.company_a, subject="Router")
    response = login(personas.admin_a).get(reverse("tickets:index"), {"tq": "Rou\x00ter"})
    assert response.status_code == 200


def test_the_overview_shows_the_latest_five_and_links_to_all_tickets(personas, login):
    _bulk(personas.company_a, 8)
    TicketFactory(company=personas.company_a, status=Status.CLOSED, subject="Lukket sag")
    response = login(personas.admin_a).get(reverse("portal:overview"))
    content = response.content.decode()
    # Newest activity first: "Sag 0" is the latest of the bulk ones, the closed one (now) is newer still.
    subjects = [t.subject for t in response.context["sections"][0]["latest"]]
    assert subjects == ["Lukket sag", "Sag 0", "Sag 1", "Sag 2", "Sag 3"]
    assert content.count('data-testid="ticket-row"') == 5
    assert f'href="{reverse("tickets:index")}" data-testid="all-tickets"' in content
    assert "8 open tickets" in content
    # Filter and search live on the tickets page, not on the overview.
    assert 'name="tq"' not in content
