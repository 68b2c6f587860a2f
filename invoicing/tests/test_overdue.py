import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from invoicing.actions import create_credit_note, mark_overdue, register_payment
from invoicing.models import Invoice
from invoicing.money import due_date_for
from invoicing.tasks import mark_overdue_task
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def _invoice(issue_date: dt.date, **kwargs) -> Invoice:
    return InvoiceFactory(issue_date=issue_date, due_date=due_date_for(issue_date), **kwargs)


def _status(invoice: Invoice) -> str:
    invoice.refresh_from_db()
    return invoice.status


def test_a_due_date_on_a_weekend_moves_to_monday_and_is_overdue_from_tuesday(system):
    invoice = _invoice(dt.date(2026, 11, 7))  # + 14 days = Saturday 21 November
    assert invoice.due_date == dt.date(2026, 11, 23)

    for day in (dt.date(2026, 11, 21), dt.date(2026, 11, 22), dt.date(2026, 11, 23)):
        assert mark_overdue(by=system, today=day) == []
    assert _status(invoice) == Invoice.Status.ISSUED

    assert mark_overdue(by=system, today=dt.date(2026, 11, 24)) == [invoice.pk]
    assert _status(invoice) == Invoice.Status.OVERDUE


def test_a_due_date_at_easter_moves_past_the_holidays(system):
    invoice = _invoice(dt.date(2026, 3, 20))  # + 14 days = Good Friday; then Saturday, Easter Sunday and Monday
    assert invoice.due_date == dt.date(2026, 4, 7)

    assert mark_overdue(by=system, today=dt.date(2026, 4, 6)) == []
    assert mark_overdue(by=system, today=dt.date(2026, 4, 7)) == []
    assert mark_overdue(by=system, today=dt.date(2026, 4, 8)) == [invoice.pk]


def test_it_is_idempotent_and_audits_each_invoice_once(system):
    first = _invoice(dt.date(2026, 10, 1))
    second = _invoice(dt.date(2026, 10, 2), status=Invoice.Status.PARTIALLY_PAID, paid_amount=100)

    marked = mark_overdue(by=system, today=dt.date(2026, 11, 30))
    again = mark_overdue(by=system, today=dt.date(2026, 12, 1))

    assert sorted(marked) == sorted([first.pk, second.pk]) and again == []
    events = AuditEvent.all_companies.filter(action="invoice.overdue")
    assert sorted(int(e.target_id) for e in events) == sorted([first.pk, second.pk])
    assert {e.company_id for e in events} == {first.company_id, second.company_id}
    assert events.get(target_id=str(second.pk)).details["outstanding"] == second.total - 100


def test_it_leaves_paid_new_credited_and_credit_notes_alone(system):
    paid = _invoice(dt.date(2026, 10, 1), status=Invoice.Status.PAID)
    new = _invoice(dt.date(2026, 10, 1), status=Invoice.Status.NEW)
    credited = _invoice(dt.date(2026, 10, 1))
    credit = create_credit_note(invoice=credited, reason="Fejl", by=system)
    Invoice.all_companies.filter(pk=credit.pk).update(due_date=dt.date(2026, 10, 15))

    assert mark_overdue(by=system, today=dt.date(2026, 12, 31)) == []
    assert [_status(i) for i in (paid, new, credited, credit)] == [
        Invoice.Status.PAID,
        Invoice.Status.NEW,
        Invoice.Status.ISSUED,
        Invoice.Status.ISSUED,
    ]


def test_a_payment_on_an_overdue_invoice_and_the_next_run(system):
    invoice = _invoice(dt.date(2025, 10, 1), total=20000)
    mark_overdue(by=system, today=dt.date(2025, 11, 1))

    register_payment(invoice, amount=5000, paid_on=dt.date(2025, 11, 2), reference="", by=system)
    assert _status(invoice) == Invoice.Status.PARTIALLY_PAID
    # The rest is still past due: the next run marks it overdue again (one more event).
    assert mark_overdue(by=system, today=dt.date(2025, 11, 3)) == [invoice.pk]
    register_payment(invoice, amount=15000, paid_on=dt.date(2025, 11, 3), reference="", by=system)
    assert _status(invoice) == Invoice.Status.PAID
    assert mark_overdue(by=system, today=dt.date(2025, 11, 4)) == []
    assert AuditEvent.all_companies.filter(action="invoice.overdue").count() == 2


def test_the_command_and_the_task(system, capsys):
    invoice = _invoice(dt.date(2026, 10, 1))

    call_command("mark_overdue", "--date", "2026-10-15")
    assert "0 invoice(s) marked overdue" in capsys.readouterr().out
    call_command("mark_overdue", "--date", "2026-10-16")
    assert "1 invoice(s) marked overdue" in capsys.readouterr().out
    assert _status(invoice) == Invoice.Status.OVERDUE
    with pytest.raises(CommandError):
        call_command("mark_overdue", "--date", "tomorrow")

    other = _invoice(dt.date(2020, 1, 2))
    result = mark_overdue_task.enqueue()
    assert result.return_value == 1
    assert _status(other) == Invoice.Status.OVERDUE
