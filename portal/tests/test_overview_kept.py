"""The overview keeps its area sections until the company's data they show changes (portal.overview)."""

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from audit.events import record
from guardrails import actions as guardrail_actions
from guardrails.actions import this_month
from guardrails.models import Bar, RaiseRequest
from invoicing.models import Invoice
from invoicing.tests.factories import InvoiceFactory
from numbering.tests.factories import PortRequestFactory
from products.models import Order
from products.tests.factories import OrderFactory
from subscriptions.tests.factories import SubscriptionFactory
from tickets import actions
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = reverse("portal:overview")


def test_a_kept_overview_costs_three_queries(personas, login, django_assert_num_queries):
    TicketFactory(company=personas.company_a)
    InvoiceFactory(company=personas.company_a)
    OrderFactory(company=personas.company_a)
    client = login(personas.admin_a)
    client.get(URL)
    # session, user and the subscriptions' counters (kept by triggers, read live); tickets, numbers, invoices,
    # guardrails and products kept
    with django_assert_num_queries(3):
        client.get(URL)


def _card(client):
    page = client.get(URL).content.decode()
    return " ".join(page.split())


def test_a_bar_and_a_raise_request_show_in_the_guardrails_card_on_the_next_visit(personas, login):
    client = login(personas.admin_a)
    assert "0 lines barred now · 0 raise requests waiting" in _card(client)
    sub = SubscriptionFactory(company=personas.company_a)
    Bar.objects.create(
        company=personas.company_a,
        subscription=sub,
        month=this_month(),
        metric="data",
        block_field="block_data",
        limit=1,
        used=2,
    )
    assert "1 line barred now · 0 raise requests waiting" in _card(client)
    RaiseRequest.objects.create(
        company=personas.company_a, subscription=sub, month=this_month(), metric="data", amount=1024, reason="Trip"
    )
    assert "1 line barred now · 1 raise request waiting" in _card(client)


def test_raise_requests_expired_at_month_start_leave_the_card(personas, login):
    sub = SubscriptionFactory(company=personas.company_a)
    last_month = (this_month() - dt.timedelta(days=1)).replace(day=1)
    RaiseRequest.objects.create(
        company=personas.company_a, subscription=sub, month=last_month, metric="data", amount=1024, reason="Trip"
    )
    client = login(personas.admin_a)
    assert "1 raise request waiting" in _card(client)
    assert guardrail_actions.lift_past_months()["expired"] == 1
    assert "0 raise requests waiting" in _card(client)


def test_an_order_and_its_state_show_in_the_products_section_on_the_next_visit(personas, login):
    client = login(personas.admin_a)
    assert _products(client) == {"open": "0", "held": "0"}
    order = OrderFactory(company=personas.company_a, state=Order.State.HELD)
    section = _products(client)
    assert (section["open"], section["held"]) == ("1", "1")
    order.state = Order.State.CANCELLED
    order.save()
    section = _products(client)
    assert (section["open"], section["held"]) == ("0", "0")


def _products(client):
    card = _card(client)
    section = card[card.index('data-testid="products-section"') :]
    numbers = re.findall(r'<div class="fw-semibold">(?:<a [^>]*>)?(\d+)', section)
    return {"open": numbers[0], "held": numbers[1]}


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
