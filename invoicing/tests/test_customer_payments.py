"""What a company's admins see of payments: outstanding amounts, payments and the overdue badge."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.actions import create_credit_note, register_payment
from invoicing.models import Invoice
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
INDEX = reverse("invoice:index")


def _pay(invoice, amount, by, days_ago=1):
    return register_payment(
        invoice,
        amount=amount,
        paid_on=timezone.localdate() - dt.timedelta(days=days_ago),
        reference="FIK 71 secret-ref",
        by=by,
    )


def test_the_list_shows_what_is_outstanding_and_an_overdue_badge(personas, login, system):
    partly = InvoiceFactory(company=personas.company_a, period="2026-09", total=18750)
    _pay(partly, 10000, system)
    overdue = InvoiceFactory(company=personas.company_a, period="2026-08", total=20000, status=Invoice.Status.OVERDUE)
    credited = InvoiceFactory(company=personas.company_a, period="2026-07", total=30000)
    create_credit_note(invoice=credited, reason="Fejl", by=system)

    page = login(personas.admin_a).get(INDEX).content.decode()

    assert "Outstanding" in page
    assert "DKK 87.50" in page and "DKK 200.00" in page
    assert page.count('data-testid="overdue-badge"') == 1 and "fa-triangle-exclamation" in page
    assert 'data-testid="credited-badge"' in page
    assert str(overdue.number) in page


def test_the_details_show_payments_and_the_outstanding_amount(personas, login, system):
    invoice = InvoiceFactory(
        company=personas.company_a, total=18750, status=Invoice.Status.OVERDUE, due_date=dt.date(2026, 11, 16)
    )
    _pay(invoice, 5000, system, days_ago=3)
    Invoice.all_companies.filter(pk=invoice.pk).update(status=Invoice.Status.OVERDUE)

    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()

    assert page.count('data-testid="payment-row"') == 1 and "DKK 50.00" in page
    assert 'data-testid="invoice-outstanding"' in page and "DKK 137.50" in page
    assert 'data-testid="overdue-alert"' in page
    assert "secret-ref" not in page  # the bank reference is for staff
    assert "Register payment" not in page


def test_the_details_in_danish(personas, login, system):
    invoice = InvoiceFactory(company=personas.company_a, total=18750, status=Invoice.Status.OVERDUE)
    personas.admin_a.language = "da"
    personas.admin_a.save(update_fields=["language"])

    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()

    assert "Udestående" in page and "Betalinger" in page and "Fakturaen er forfalden" in page


def test_a_credit_note_shows_no_payments_section(personas, login, system):
    credit = create_credit_note(invoice=InvoiceFactory(company=personas.company_a), reason="Fejl", by=system)
    page = login(personas.admin_a).get(reverse("invoice:detail", args=[credit.pk])).content.decode()
    assert 'data-testid="invoice-outstanding"' not in page and "No payments registered yet" not in page


@pytest.mark.parametrize("payments", [1, 6])
def test_the_details_use_a_fixed_number_of_queries_with_payments(
    personas, login, system, django_assert_num_queries, payments
):
    invoice = InvoiceFactory(company=personas.company_a, total=100000)
    for i in range(payments):
        _pay(invoice, 100 + i, system)
    client = login(personas.admin_a)
    url = reverse("invoice:detail", args=[invoice.pk])
    client.get(url)
    # session, user (memberships from the session), invoice, count, sections, lines, payments, failed eInvoice deliveries, all deliveries
    # and no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('data-testid="payment-row"') == payments


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_uses_a_fixed_number_of_queries_with_paid_and_overdue_invoices(
    personas, login, system, django_assert_num_queries, count
):
    for i in range(count):
        invoice = InvoiceFactory(company=personas.company_a, period=f"{2020 + i // 12}-{i % 12 + 1:02d}")
        if i % 2:
            _pay(invoice, 1000, system)
        else:
            Invoice.all_companies.filter(pk=invoice.pk).update(status=Invoice.Status.OVERDUE)
    client = login(personas.admin_a)
    client.get(INDEX)
    # as test_index: session, user (memberships from the session), years, count, page, chart;
    # no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware)
    with django_assert_num_queries(6):
        response = client.get(INDEX)
    assert response.status_code == 200


def test_the_overview_section_shows_the_overdue_badge(personas, login):
    InvoiceFactory(company=personas.company_a, status=Invoice.Status.OVERDUE)
    page = login(personas.admin_a).get(reverse("portal:overview")).content.decode()
    assert 'data-testid="overdue-badge"' in page
