import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from audit.models import AuditEvent
from invoicing.actions import create_credit_note, register_payment
from invoicing.models import Invoice, Payment
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _pay(invoice, amount, by, **kwargs):
    kwargs.setdefault("paid_on", YESTERDAY)
    kwargs.setdefault("reference", "")
    return register_payment(invoice, amount=amount, by=by, **kwargs)


def test_it_registers_a_partial_then_a_full_payment(system):
    invoice = InvoiceFactory(total=18750)

    first = _pay(invoice, 10000, system, reference="FIK 71 1")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount, invoice.outstanding) == (Invoice.Status.PARTIALLY_PAID, 10000, 8750)

    _pay(invoice, 8750, system, reference="FIK 71 2")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount, invoice.outstanding) == (Invoice.Status.PAID, 18750, 0)
    assert first.company_id == invoice.company_id and first.created_by_label == "test"
    assert list(Payment.all_companies.filter(invoice=invoice).values_list("amount", flat=True)) == [10000, 8750]


def test_it_updates_the_callers_invoice_object(system):
    invoice = InvoiceFactory(total=18750)
    _pay(invoice, 18750, system)
    assert invoice.status == Invoice.Status.PAID and invoice.paid_amount == 18750


def test_it_writes_one_audit_event_per_payment(system):
    invoice = InvoiceFactory(total=18750)
    payment = _pay(invoice, 5000, system, reference="abc")
    event = AuditEvent.all_companies.get(action="invoice.payment_registered")
    assert event.company_id == invoice.company_id and event.target_id == str(payment.pk)
    assert event.details["amount"] == 5000 and event.details["outstanding"] == 13750
    assert event.details["status"] == Invoice.Status.PARTIALLY_PAID


def test_it_refuses_an_overpayment_and_changes_nothing(system):
    invoice = InvoiceFactory(total=18750)
    _pay(invoice, 10000, system)

    with pytest.raises(ValidationError, match=r"more than the DKK 87\.50 outstanding"):
        _pay(invoice, 8751, system)

    invoice.refresh_from_db()
    assert invoice.paid_amount == 10000 and invoice.status == Invoice.Status.PARTIALLY_PAID
    assert (
        Payment.all_companies.count() == 1
        and AuditEvent.all_companies.filter(action="invoice.payment_registered").count() == 1
    )


def test_it_refuses_a_payment_on_a_paid_invoice(system):
    invoice = InvoiceFactory(total=100)
    _pay(invoice, 100, system)
    with pytest.raises(ValidationError, match="already paid in full"):
        _pay(invoice, 1, system)


@pytest.mark.parametrize("amount", [0, -100])
def test_it_refuses_amounts_that_are_not_positive(system, amount):
    invoice = InvoiceFactory()
    with pytest.raises(ValidationError, match="more than 0"):
        _pay(invoice, amount, system)
    assert not Payment.all_companies.exists()


def test_it_refuses_a_credit_note_and_a_credited_invoice(system):
    invoice = InvoiceFactory(total=18750)
    credit = create_credit_note(invoice=invoice, reason="Fejl", by=system)

    with pytest.raises(ValidationError, match="credit note"):
        _pay(credit, 100, system)
    with pytest.raises(ValidationError, match="has been credited"):
        _pay(invoice, 100, system)
    assert not Payment.all_companies.exists()


def test_it_refuses_an_invoice_that_is_not_issued(system):
    invoice = InvoiceFactory(status=Invoice.Status.NEW)
    with pytest.raises(ValidationError, match="not been issued"):
        _pay(invoice, 100, system)


def test_it_refuses_a_payment_date_in_the_future(system):
    invoice = InvoiceFactory()
    with pytest.raises(ValidationError, match="in the future"):
        _pay(invoice, 100, system, paid_on=timezone.localdate() + dt.timedelta(days=1))


def test_it_refuses_the_same_payment_twice(system):
    invoice = InvoiceFactory(total=18750)
    _pay(invoice, 5000, system, reference="FIK 71 9")
    with pytest.raises(ValidationError, match="already registered"):
        _pay(invoice, 5000, system, reference="FIK 71 9")
    _pay(invoice, 5000, system, reference="FIK 71 10")  # another payment of the same amount is fine
    assert Payment.all_companies.count() == 2


@pytest.mark.parametrize("amount, status", [(5000, Invoice.Status.PARTIALLY_PAID), (18750, Invoice.Status.PAID)])
def test_it_moves_an_overdue_invoice_to_partially_paid_or_paid(system, amount, status):
    invoice = InvoiceFactory(total=18750, status=Invoice.Status.OVERDUE)
    _pay(invoice, amount, system)
    invoice.refresh_from_db()
    assert invoice.status == status


def test_it_leaves_the_stored_pdf_alone(system, settings, tmp_path):
    from invoicing.tasks import ensure_pdf

    settings.MEDIA_ROOT = tmp_path
    invoice = ensure_pdf(InvoiceFactory(total=18750))
    before = invoice.pdf.read()
    invoice.pdf.close()
    name = invoice.pdf.name

    _pay(invoice, 18750, system)

    invoice.refresh_from_db()
    assert invoice.pdf.name == name
    with invoice.pdf.open("rb") as stored:
        assert stored.read() == before


def test_it_speaks_danish(system):
    invoice = InvoiceFactory(total=100)
    with translation.override("da"), pytest.raises(ValidationError, match="overbetalinger registreres ikke"):
        _pay(invoice, 200, system)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_payments_at_once_cannot_both_use_the_outstanding_amount(system):
    invoice = InvoiceFactory(total=10000)
    results = []

    def pay():
        try:
            _pay(invoice, 6000, system)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["ok", "refused"]
    invoice.refresh_from_db()
    assert invoice.paid_amount == 6000
