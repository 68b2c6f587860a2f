"""Two billing runs at once on PostgreSQL: each invoice once, numbers without gaps."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from audit.actor import Actor
from invoicing.billing import run_billing
from invoicing.models import Invoice, InvoiceCounter
from invoicing.tests.factories import SubscriptionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_it_numbers_gaplessly_and_bills_once_under_concurrent_runs():
    companies = {SubscriptionFactory().company_id for _ in range(12)}
    # Made by a migration, but an earlier transactional test may have flushed it.
    start = InvoiceCounter.objects.get_or_create(name="invoice")[0].last_number
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            run_billing("2026-11", by=Actor.system("concurrent"), issue_date=dt.date(2026, 12, 1))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(Invoice.all_companies.values_list("company_id", flat=True)) == sorted(companies)
    assert sorted(Invoice.all_companies.values_list("number", flat=True)) == list(range(start + 1, start + 13))
