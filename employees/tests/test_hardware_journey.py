"""In a real browser: an employee signs in with the link from the mail, asks for a phone from the catalogue, an
admin approves it from the e-mail's confirm page, the order is acknowledged and the employee sees it. axe-core
scans the new pages (the catalogue, with and without errors, and the confirm page) in English and Danish."""

import pytest
from playwright.sync_api import Browser, Page, expect

from companies.tests.factories import CompanyFactory, MembershipFactory
from employees.tests.test_journey import _axe, _path, _sign_in
from outbox.models import OutboxMessage
from products.models import Item, Order
from products.tests.factories import ItemFactory
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_employee_asks_for_a_phone_and_an_admin_approves_it_from_the_email(
    page: Page, live_server, browser: Browser
):
    company = CompanyFactory(name="Rejse ApS")
    MembershipFactory(company=company, user__email="it@rejse.dk")
    product = ProductFactory(code="mobil-5", name="Mobile 5 GB", name_da="Mobil 5 GB")
    anna = SubscriptionFactory(company=company, user_name="Anna Jensen", email="anna@rejse.dk", product=product)
    phone = ItemFactory(code="iphone-16", name="iPhone 16", name_da="iPhone 16", price=600000, stock=4)
    ItemFactory(code="charger", kind=Item.Kind.ACCESSORY, name="USB-C charger", name_da="USB-C-oplader", price=19900)
    base = live_server.url
    found: dict[str, list[dict]] = {}

    employee = browser.new_context(locale="en-GB")
    me = employee.new_page()
    _sign_in(me, base, "anna@rejse.dk", found, "en")
    me.wait_for_url(f"{base}/employee/{anna.pk}/")
    me.get_by_test_id("employee-order-hardware").click()
    me.wait_for_url(f"{base}/employee/{anna.pk}/hardware/")
    expect(me.get_by_test_id("employee-item-iphone-16")).to_contain_text("7,500.00")
    found["en catalogue"] = _axe(me)
    # Nothing chosen: a clear message, nothing ordered.
    me.get_by_test_id("employee-send-hardware").click()
    expect(me.get_by_text("Choose an item.")).to_be_visible()
    found["en catalogue with errors"] = _axe(me)
    assert not Order.all_companies.exists()

    me.check(f"#item-{phone.pk}")
    me.fill("#id_reason", "My old phone broke")
    me.get_by_test_id("employee-send-hardware").click()
    me.wait_for_url(f"{base}/employee/{anna.pk}/hardware/")
    expect(me.get_by_test_id("employee-hardware-order")).to_contain_text("iPhone 16")
    expect(me.get_by_test_id("employee-hardware-order")).to_contain_text("Awaiting approval")
    order = Order.all_companies.get()
    assert (order.state, order.requested_by_subscription_id) == ("held", anna.pk)

    # The admin opens the link in the e-mail (no sign-in: the signed link is the authority) and approves.
    [mail] = OutboxMessage.objects.filter(to=["it@rejse.dk"])
    assert "Anna Jensen (anna@rejse.dk)" in mail.body
    link = _path(mail, r"https?://\S+/products/approve/\S+/")
    page.goto(base + link)
    expect(page.get_by_test_id("placed-by")).to_contain_text("Requested by Anna Jensen")
    found["en approval confirm"] = _axe(page)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("decision-done")).to_have_text("Order approved")
    order.refresh_from_db()
    assert order.state == "acknowledged"
    assert OutboxMessage.objects.filter(to=["anna@rejse.dk"], subject__contains="approved").exists()

    # The employee sees it acknowledged, on the catalogue page and on the subscription page.
    me.reload()
    expect(me.get_by_test_id("employee-hardware-order")).to_contain_text("Acknowledged")
    me.goto(f"{base}/employee/{anna.pk}/")
    expect(me.get_by_test_id("employee-hardware-order")).to_contain_text(order.reference)
    employee.close()

    # Danish.
    danish = browser.new_context(locale="da-DK")
    mig = danish.new_page()
    _sign_in(mig, base, "anna@rejse.dk", found, "da")
    mig.wait_for_url(f"{base}/employee/{anna.pk}/")
    mig.get_by_test_id("employee-order-hardware").click()
    expect(mig.get_by_role("heading", level=1)).to_have_text("Bestil en telefon eller noget tilbehør")
    expect(mig.get_by_test_id("employee-hardware-order")).to_contain_text("Modtaget")
    found["da catalogue"] = _axe(mig)
    mig.get_by_test_id("employee-send-hardware").click()
    expect(mig.get_by_text("Vælg en vare.")).to_be_visible()
    found["da catalogue with errors"] = _axe(mig)
    danish.close()
    page.goto(base + link)  # decided now: the page says so
    expect(page.get_by_test_id("already-decided")).to_be_visible()

    violations = {k: v for k, v in found.items() if v}
    assert not violations, violations
