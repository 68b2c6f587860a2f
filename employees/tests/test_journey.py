"""In a real browser: an employee signs in with the link from the mail, asks for an upgrade, an admin approves it
from the e-mail in one click, and the employee sees the new product. Every new page is scanned with axe-core in
English and Danish (the employee's pages are outside the admin route walkers' accessibility scan)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from companies.tests.factories import CompanyFactory, MembershipFactory
from employees.models import EmployeeRequest
from invoicing.models import UsageRecord
from outbox.models import OutboxMessage
from portal.testing import browser_sign_in
from portal.tests.test_accessibility import AXE, RUN_AXE, TAGS
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _axe(page: Page) -> list[dict]:
    page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE, TAGS)


def _path(mail: OutboxMessage, pattern: str) -> str:
    return "/" + re.search(pattern, mail.body).group(0).split("/", 3)[3]


def _sign_in(page: Page, base: str, email: str, found: dict, label: str) -> None:
    page.goto(f"{base}/employee/sign-in/")
    found[f"{label} sign-in"] = _axe(page)
    before = OutboxMessage.objects.filter(to=[email]).count()
    page.fill("#id_email", email)
    page.get_by_test_id("employee-send-link").click()
    expect(page.get_by_test_id("employee-link-sent")).to_be_visible()
    found[f"{label} link sent"] = _axe(page)
    mails = list(OutboxMessage.objects.filter(to=[email]).order_by("id"))
    assert len(mails) == before + 1
    page.goto(base + _path(mails[-1], r"https?://\S+/employee/sign-in/\S+/"))
    found[f"{label} confirm"] = _axe(page)
    page.get_by_test_id("employee-confirm").click()


def test_an_employee_asks_for_an_upgrade_and_an_admin_approves_it_from_the_email(
    page: Page, live_server, browser: Browser
):
    company = CompanyFactory(name="Rejse ApS")
    admin = MembershipFactory(company=company, user__email="it@rejse.dk").user
    small = ProductFactory(code="mobil-5", name="Mobile 5 GB", name_da="Mobil 5 GB", monthly_price=9900)
    big = ProductFactory(code="mobil-50", name="Mobile 50 GB", name_da="Mobil 50 GB", monthly_price=19900)
    small.allowed_changes.add(big)
    anna = SubscriptionFactory(company=company, user_name="Anna Jensen", email="anna@rejse.dk", product=small)
    UsageRecord.objects.create(
        company=company, subscription=anna, time=timezone.now(), type="voice", quantity=42, charge=0
    )
    base = live_server.url
    found: dict[str, list[dict]] = {}

    employee = browser.new_context(locale="en-GB")
    me = employee.new_page()
    _sign_in(me, base, "anna@rejse.dk", found, "en")
    me.wait_for_url(f"{base}/employee/{anna.pk}/")
    expect(me.get_by_test_id("employee-product")).to_contain_text("Mobile 5 GB")
    expect(me.get_by_test_id("employee-usage")).to_contain_text("42")
    me.get_by_test_id("reveal").click()
    expect(me.get_by_test_id("pin")).to_have_text("1234")
    found["en subscription"] = _axe(me)

    me.get_by_test_id("employee-ask-upgrade").click()
    found["en ask"] = _axe(me)
    me.select_option("#id_product", str(big.pk))
    me.fill("#id_message", "I travel a lot")
    me.get_by_test_id("employee-send-request").click()
    me.wait_for_url(f"{base}/employee/{anna.pk}/")
    expect(me.get_by_test_id("employee-request-status")).to_have_text("Waiting for an admin")

    # The admin opens the link in the e-mail and approves in one click.
    [mail] = OutboxMessage.objects.filter(to=["it@rejse.dk"])
    assert "Anna Jensen asks for a change to Mobile 50 GB" == mail.subject
    browser_sign_in(page, base, admin, company)
    page.goto(base + _path(mail, r"https?://\S+/employee-requests/\d+/"))
    expect(page.get_by_test_id("employee-request-title")).to_contain_text(
        "Anna Jensen asks for a change to Mobile 50 GB"
    )
    found["en admin confirm"] = _axe(page)
    page.get_by_test_id("employee-request-approve").click()
    page.wait_for_url(f"{base}/employee-requests/")
    found["en admin list"] = _axe(page)
    assert EmployeeRequest.all_companies.get().status == "approved"
    assert OutboxMessage.objects.filter(to=["anna@rejse.dk"], subject__contains="approved").exists()

    # The employee sees the new product.
    me.reload()
    expect(me.get_by_test_id("employee-product")).to_contain_text("Mobile 50 GB")
    expect(me.get_by_test_id("employee-request-status")).to_have_text("Approved")
    employee.close()

    # The same pages in Danish (the browser's language picks the page's).
    danish = browser.new_context(locale="da-DK")
    mig = danish.new_page()
    _sign_in(mig, base, "anna@rejse.dk", found, "da")
    mig.wait_for_url(f"{base}/employee/{anna.pk}/")
    expect(mig.get_by_test_id("employee-product")).to_contain_text("Mobil 50 GB")
    expect(mig.get_by_test_id("employee-request-status")).to_have_text("Godkendt")
    found["da subscription"] = _axe(mig)
    mig.get_by_test_id("employee-ask-sim").click()
    found["da ask"] = _axe(mig)
    danish.close()
    admin.language = "da"
    admin.save()
    page.goto(f"{base}/employee-requests/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Medarbejdernes anmodninger")
    found["da admin list"] = _axe(page)
    page.goto(f"{base}/employee-requests/{EmployeeRequest.all_companies.get().pk}/")
    found["da admin request"] = _axe(page)

    violations = {k: v for k, v in found.items() if v}
    assert not violations, violations
