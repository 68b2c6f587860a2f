"""The overview keeps its area sections until the company's data they show changes (portal.overview)."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from audit.events import record
from invoicing.models import Invoice
from invoicing.tests.factories import InvoiceFactory
from numbering.tests.factories import PortRequestFactory
from tickets import actions
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = reverse("portal:overview")


def test_a_kept_overview_costs_five_queries(personas, login, django_assert_num_queries):
    TicketFactory(company=personas.company_a)
    InvoiceFactory(company=personas.company_a)
    client = login(personas.admin_a)
    client.get(URL)
    # session, user, the subscriptions' counters, guardrails and the products' orders (sections that are not
    # kept); tickets, numbers and invoices kept
    with django_assert_num_queries(5):
        client.get(URL)


def test_a_new_ticket_and_a_read_reply_show_on_the_next_visit(personas, login):
    client = login(personas.admin_a)
    assert "Router virker ikke" not in client.get(URL).content.decode()
    ticket = TicketFactory(company=personas.company_a, subject="Router virker ikke")
    assert "Router virker ikke" in client.get(URL).content.decode()
    ticket.last_staff_reply_at = timezone.now()
    ticket.save()
    assert 'data-testid="unread-badge"' in client.get(URL).content.decode()
    actions.mark_read(ticket, user=personas.admin_a)
    assert 'data-testid="unread-badge"' not in client.get(URL).content.decode()


def test_an_invoice_changed_through_update_shows_with_its_audit_event(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, status=Invoice.Status.ISSUED)
    client = login(personas.admin_a)
    assert "invoice-status-issued" in client.get(URL).content.decode()
    Invoice.objects.unscoped().filter(pk=invoice.pk).update(status=Invoice.Status.OVERDUE)  # no signal
    record("invoice.overdue", by=Actor.system(), company=personas.company_a, target=invoice)
    assert "invoice-status-overdue" in client.get(URL).content.decode()


def test_a_port_request_shows_in_the_numbers_section(personas, login):
    client = login(personas.admin_a)
    before = client.get(URL).content.decode()
    PortRequestFactory(company=personas.company_a, status="submitted", numbers=["+4586000001"])
    after = client.get(URL).content.decode()
    assert before != after and '/numbers/ports/">1</a>' in after.replace("\n", "")


def test_users_languages_and_companies_keep_their_own_sections(personas, login):
    TicketFactory(company=personas.company_a, subject="Alfas sag")
    TicketFactory(company=personas.company_b, subject="Betas sag")
    full = login(personas.admin_a).get(URL).content.decode()
    read_only = login(personas.readonly_a).get(URL).content.decode()
    assert 'data-testid="create-ticket"' in full and 'data-testid="create-ticket"' not in read_only
    assert "Alfas sag" in read_only and "Betas sag" not in read_only
    assert "Betas sag" in login(personas.outsider).get(URL).content.decode()
    client = login(personas.admin_a)
    client.post(reverse("accounts:set_language"), {"language": "da", "next": "/"})
    assert "Mine supportsager" in client.get(URL).content.decode()


def test_another_company_s_change_keeps_the_sections(personas, login):
    client = login(personas.admin_a)
    client.get(URL)
    kept = len(caches["template_fragments"]._cache)  # type: ignore[attr-defined]
    TicketFactory(company=personas.company_b)
    client.get(URL)
    assert len(caches["template_fragments"]._cache) == kept  # type: ignore[attr-defined]  # nothing rendered again


def test_invoices_marked_overdue_in_bulk_show_on_the_next_visit(personas, login):
    import datetime

    from invoicing.payments import mark_overdue

    InvoiceFactory(
        company=personas.company_a, status=Invoice.Status.ISSUED, due_date=datetime.date.today() - datetime.timedelta(5)
    )
    client = login(personas.admin_a)
    assert 'data-testid="overdue-badge"' not in client.get(URL).content.decode()
    assert mark_overdue(by=Actor.system())  # update() and bulk_record: no post_save
    assert 'data-testid="overdue-badge"' in client.get(URL).content.decode()
