import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from companies.tests.factories import CompanyFactory
from invoicing import billing
from invoicing.actions import add_charge, create_credit_note
from invoicing.billing import run_billing
from invoicing.models import Charge, ImmutableInvoiceError, Invoice, InvoiceCounter, InvoiceLine, UsageRecord
from invoicing.tests.factories import AddOnFactory, OneOffFeeFactory, ProductFactory, SubscriptionFactory
from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db
ISSUE = dt.date(2026, 12, 1)


def _usage(sub, when, usage_type, quantity, charge):
    tz = timezone.get_default_timezone()
    return UsageRecord.objects.create(
        company=sub.company,
        subscription=sub,
        type=usage_type,
        time=dt.datetime.combine(when, dt.time(12), tzinfo=tz),
        quantity=Decimal(quantity),
        charge=charge,
    )


def _lines(invoice, kind):
    return list(invoice.lines.filter(kind=kind).order_by("id"))


def test_it_bills_a_full_month_with_add_ons_usage_and_vat(system):
    sub = SubscriptionFactory(product=ProductFactory(monthly_price=14900))
    sub.add_ons.add(AddOnFactory(monthly_price=4900))
    _usage(sub, dt.date(2026, 11, 3), UsageRecord.Type.ROAMING, 30, 4500)
    _usage(sub, dt.date(2026, 11, 29), UsageRecord.Type.ROAMING, 10, 1500)
    _usage(sub, dt.date(2026, 11, 15), UsageRecord.Type.DATA, 2048, 0)
    _usage(sub, dt.date(2026, 12, 1), UsageRecord.Type.ROAMING, 99, 9999)  # next period

    result = run_billing("2026-11", by=system, issue_date=ISSUE)

    invoice = Invoice.all_companies.get(pk=result.created[0])
    assert [line.amount for line in _lines(invoice, InvoiceLine.Kind.SUBSCRIPTION)] == [14900]
    assert [line.amount for line in _lines(invoice, InvoiceLine.Kind.ADD_ON)] == [4900]
    roaming = invoice.lines.get(usage_type=UsageRecord.Type.ROAMING)
    assert (roaming.quantity, roaming.amount) == (Decimal(40), 6000)
    assert invoice.net == 14900 + 4900 + 6000
    assert invoice.vat == 6450  # 25 % of 258,00
    assert invoice.total == invoice.net + invoice.vat
    assert (invoice.subscriptions_net, invoice.usage_net, invoice.one_off_net) == (19800, 6000, 0)
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.due_date == dt.date(2026, 12, 15)


def test_it_charges_a_mid_month_start_for_its_days(system):
    # Created through the guide on 21 November: 10 of 30 days, and its SIM fee.
    company = CompanyFactory()
    sub = SubscriptionFactory(
        company=company,
        start_date=dt.date(2026, 11, 21),
        status=Subscription.Status.PENDING_ACTIVE,
        product=ProductFactory(monthly_price=14900),
    )
    add_charge(subscription=sub, fee=OneOffFeeFactory(price=9900), on=dt.date(2026, 11, 21), by=system)

    run_billing("2026-11", by=system, issue_date=ISSUE)

    invoice = Invoice.all_companies.get(company=company, period="2026-11")
    fee = invoice.lines.get(kind=InvoiceLine.Kind.SUBSCRIPTION)
    assert (fee.quantity, fee.amount) == (Decimal(10), 4967)
    assert invoice.lines.get(kind=InvoiceLine.Kind.ONE_OFF).amount == 9900
    assert invoice.net == 4967 + 9900
    assert invoice.vat == 3717  # 3716,75 → 3717
    assert Charge.all_companies.get().invoice == invoice


def test_it_charges_a_cancellation_up_to_its_end_date(system):
    sub = SubscriptionFactory(end_date=dt.date(2026, 2, 10), product=ProductFactory(monthly_price=28000))

    run_billing("2026-02", by=system, issue_date=dt.date(2026, 3, 1))

    fee = Invoice.all_companies.get(company=sub.company).lines.get(kind=InvoiceLine.Kind.SUBSCRIPTION)
    assert (fee.quantity, fee.amount) == (Decimal(10), 10000)  # 280 kr. * 10/28


def test_it_leaves_out_ended_cancelled_and_future_subscriptions(system):
    company = CompanyFactory()
    SubscriptionFactory(company=company, end_date=dt.date(2026, 10, 31))
    SubscriptionFactory(company=company, status=Subscription.Status.CANCELLED)
    SubscriptionFactory(company=company, start_date=dt.date(2026, 12, 1))

    result = run_billing("2026-11", by=system, issue_date=ISSUE)

    assert result.created == []


def test_it_does_not_invoice_a_charge_twice(system):
    sub = SubscriptionFactory()
    add_charge(subscription=sub, description="Ekstra SIM", amount=5000, on=dt.date(2026, 10, 5), by=system)
    run_billing("2026-10", by=system, issue_date=dt.date(2026, 11, 1))
    run_billing("2026-11", by=system, issue_date=ISSUE)

    assert InvoiceLine.objects.filter(kind=InvoiceLine.Kind.ONE_OFF).count() == 1


def test_it_numbers_invoices_without_gaps(system):
    for _ in range(4):
        SubscriptionFactory()
    start = InvoiceCounter.lock().last_number  # the row may have been flushed by a transactional test

    run_billing("2026-11", by=system, issue_date=ISSUE)

    numbers = sorted(Invoice.all_companies.values_list("number", flat=True))
    assert numbers == list(range(start + 1, start + 5))
    assert InvoiceCounter.objects.get().last_number == start + 4


def test_it_creates_nothing_twice_on_a_re_run(system):
    SubscriptionFactory()
    SubscriptionFactory()
    first = run_billing("2026-11", by=system, issue_date=ISSUE)
    second = run_billing("2026-11", by=system, issue_date=ISSUE)

    assert len(first.created) == 2
    assert (second.created, second.skipped) == ([], 2)
    assert Invoice.all_companies.count() == 2
    assert AuditEvent.all_companies.filter(action="invoice.issued").count() == 2


def test_it_finishes_a_run_killed_half_way_with_each_invoice_once(system, monkeypatch):
    subs = [SubscriptionFactory() for _ in range(3)]
    real = billing.bill_company
    calls = {"n": 0}

    def dies_on_the_second(company_id, period, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real(company_id, period, **kwargs)

    monkeypatch.setattr(billing, "bill_company", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        run_billing("2026-11", by=system, issue_date=ISSUE)
    assert Invoice.all_companies.count() == 1
    monkeypatch.setattr(billing, "bill_company", real)

    result = run_billing("2026-11", by=system, issue_date=ISSUE)

    assert len(result.created) == 2
    assert sorted(Invoice.all_companies.values_list("company_id", flat=True)) == sorted(s.company_id for s in subs)
    numbers = sorted(Invoice.all_companies.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_it_has_a_database_guard_against_a_second_invoice_for_a_period(system):
    sub = SubscriptionFactory()
    run_billing("2026-11", by=system, issue_date=ISSUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(company=sub.company, number=999999, period="2026-11", issue_date=ISSUE, due_date=ISSUE)


def test_it_keeps_issued_invoices_immutable(system):
    SubscriptionFactory()
    invoice = Invoice.all_companies.get(pk=run_billing("2026-11", by=system, issue_date=ISSUE).created[0])
    invoice.total = 1
    with pytest.raises(ImmutableInvoiceError):
        invoice.save()
    with pytest.raises(ImmutableInvoiceError):
        invoice.delete()
    invoice = Invoice.all_companies.get(pk=invoice.pk)
    invoice.status = Invoice.Status.PAID
    invoice.save(update_fields=["status"])


def test_it_credits_an_invoice_in_full_with_the_next_number(system):
    SubscriptionFactory()
    invoice = Invoice.all_companies.get(pk=run_billing("2026-11", by=system, issue_date=ISSUE).created[0])

    credit = create_credit_note(invoice=invoice, reason="Wrong product", by=system)

    assert credit.number == invoice.number + 1
    assert credit.category == Invoice.Category.CREDIT_NOTE
    assert (credit.net, credit.vat, credit.total) == (-invoice.net, -invoice.vat, -invoice.total)
    assert sum(credit.lines.values_list("amount", flat=True)) == -invoice.net
    assert AuditEvent.all_companies.filter(action="invoice.credited").count() == 1


def test_it_refuses_to_credit_twice_or_without_a_reason(system):
    from django.core.exceptions import ValidationError

    SubscriptionFactory()
    invoice = Invoice.all_companies.get(pk=run_billing("2026-11", by=system, issue_date=ISSUE).created[0])
    with pytest.raises(ValidationError):
        create_credit_note(invoice=invoice, reason="  ", by=system)
    create_credit_note(invoice=invoice, reason="Wrong", by=system)
    with pytest.raises(ValidationError):
        create_credit_note(invoice=invoice, reason="Again", by=system)
    assert Invoice.all_companies.count() == 2


def test_it_runs_from_the_management_command(capsys):
    from django.core.management import call_command

    SubscriptionFactory()
    call_command("run_billing", "2026-11")
    call_command("run_billing", "2026-11")

    out = capsys.readouterr()
    assert "1 invoices created" in out.out and "1 companies already billed" in out.out
    # Not a terminal (captured, as in cron): plain progress lines, no bar redrawn with \r.
    assert "Billing 2026-11: 100%, 1/1 companies" in out.err and "\r" not in out.err
    assert Invoice.all_companies.count() == 1


def test_the_command_draws_a_progress_bar_on_a_terminal():
    from django.core.management import call_command

    from portal.testing import FakeTerminal

    SubscriptionFactory()
    terminal = FakeTerminal()
    call_command("run_billing", "2026-11", stdout=StringIO(), stderr=terminal)

    assert terminal.getvalue().startswith("\r[##############################] Billing 2026-11: 100%, 1/1 companies")
    assert terminal.getvalue().endswith("\n")


def test_the_command_shows_its_progress_in_danish():
    from django.core.management import call_command
    from django.utils import translation

    SubscriptionFactory()
    err = StringIO()
    with translation.override("da"):
        call_command("run_billing", "2026-11", stdout=StringIO(), stderr=err)

    assert err.getvalue().startswith("Fakturering 2026-11: 100%, 1/1 virksomheder, ")
    assert err.getvalue().endswith(" s, færdig\n")


def test_it_rejects_a_bad_period_in_the_command():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("run_billing", "2026-13")
