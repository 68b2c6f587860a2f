import pytest
from django.core.management import call_command

from invoicing.models import EInvoiceDelivery, Invoice, UsageRecord

pytestmark = pytest.mark.django_db


def test_it_seeds_a_year_of_usage_and_invoices_once():
    call_command("seed_demo", "--subscriptions", "10", "--tickets", "0", "--quiet-logins")
    invoices, usage = Invoice.all_companies.count(), UsageRecord.all_companies.count()
    call_command("seed_demo", "--subscriptions", "10", "--tickets", "0", "--quiet-logins")

    assert invoices >= 5 * 12
    assert usage > 0
    assert (Invoice.all_companies.count(), UsageRecord.all_companies.count()) == (invoices, usage)
    assert EInvoiceDelivery.all_companies.filter(status=EInvoiceDelivery.Status.SENT).exists()
    numbers = sorted(Invoice.all_companies.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
