"""In the browser: staff register a payment on an overdue invoice; the customer sees it."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.browser import complete_two_factor
from accounts.tests.factories import PASSWORD
from invoicing.models import Invoice
from invoicing.tests.factories import InvoiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    if user.is_staff:
        complete_two_factor(page, user)


@pytest.fixture
def new_page(browser):
    """A page in a context of its own (one per user); closed after the test, with its connections."""
    contexts = []

    def make():
        contexts.append(browser.new_context())
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


def test_staff_register_a_payment_and_the_admin_sees_it(personas, live_server, new_page):
    invoice = InvoiceFactory(company=personas.company_a, total=18750, due_date=dt.date(2020, 1, 2))

    staff = new_page()
    _sign_in(staff, live_server, personas.staff)
    staff.goto(f"{live_server.url}/invoices/staff/")
    staff.get_by_role("button", name="Mark overdue now").click()
    assert staff.get_by_test_id("overdue-count").inner_text() == "1"
    form = staff.get_by_test_id("payment-form")
    form.locator("input[name=payment-number]").fill(str(invoice.number))
    form.locator("input[name=payment-amount]").fill("100,00")
    form.locator("input[name=payment-paid_on]").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    form.locator("input[name=payment-reference]").fill("FIK 71 1")
    form.get_by_role("button", name="Register payment").click()
    assert "FIK 71 1" in staff.get_by_test_id("staff-payments").inner_text()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTIALLY_PAID

    admin = new_page()
    _sign_in(admin, live_server, personas.admin_a)
    admin.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    assert admin.get_by_test_id("invoice-outstanding").inner_text() == "DKK 87.50"
    assert admin.get_by_test_id("payment-row").count() == 1
    assert admin.get_by_test_id("payment-form").count() == 0
