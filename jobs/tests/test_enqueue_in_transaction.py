"""Side effects are queued in the transaction of the change: a crash after the commit cannot lose them."""

import datetime as dt

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from audit.actor import Actor
from invoicing.actions import create_credit_note, start_billing_run
from invoicing.billing import bill_company
from invoicing.models import Invoice, InvoiceCounter
from invoicing.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    InvoiceCounter.objects.get_or_create(name="invoice")


def _queued(path: str) -> list[list]:
    return [row.args_kwargs["args"] for row in DBTaskResult.objects.filter(task_path=path)]


def test_an_issued_invoice_and_its_pdf_task_are_one_transaction():
    company_id = SubscriptionFactory().company_id
    by = Actor.system("test")

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        bill_company(company_id, "2026-11", by=by, issue_date=dt.date(2026, 12, 1))
        raise Crash  # anything after the invoice, before the commit
    assert not Invoice.all_companies.exists() and not DBTaskResult.objects.exists()

    with transaction.atomic():
        invoice = bill_company(company_id, "2026-11", by=by, issue_date=dt.date(2026, 12, 1))
        assert invoice is not None
        # Written before the commit: no on_commit hook that a crash could skip.
        assert _queued("invoicing.tasks.process_issued_invoice") == [[invoice.pk]]

    with transaction.atomic():
        credit = create_credit_note(invoice=invoice, reason="wrong product", by=by)
        assert _queued("invoicing.tasks.process_issued_invoice") == [[invoice.pk], [credit.pk]]


def test_the_billing_button_queues_its_run_in_its_transaction():
    with transaction.atomic():
        start_billing_run(period="2026-11", by=Actor.system("test"))
        assert _queued("invoicing.tasks.run_billing_task") == [["2026-11", None]]
