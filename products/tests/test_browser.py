"""The Products journey in a browser, and axe-core on the area's pages in English and Danish.

Order two phones above the company's limit → a second admin approves from the e-mail's confirm page →
staff pick and ship → the line is on the invoice of the next billing run."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from audit.actor import Actor
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoicing.billing import run_billing
from invoicing.models import Invoice
from portal.testing import browser_sign_in
from portal.tests.test_accessibility import AXE, DESKTOP, _axe, html_pages, scan
from products.models import Item, Order, ProductSettings
from products.tests.factories import ItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _company():
    company = CompanyFactory(
        name="Journey ApS", street="Vestergade 1", postcode="8000", city="Aarhus C", invoice_language="en"
    )
    ProductSettings.objects.create(
        company=company, approval_limit=500000, zero_touch_provider="apple", zero_touch_org_id="ABM-7"
    )
    return company


def test_two_phones_above_the_limit_are_approved_shipped_and_invoiced(page: Page, live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    company = _company()
    orderer = MembershipFactory(company=company, user__email="ole@journey.dk", user__language="en").user
    approver = MembershipFactory(company=company, user__email="anna@journey.dk", user__language="en").user
    staff = UserFactory(email="staff@operator.example", is_staff=True, is_superuser=True)
    ItemFactory(code="iphone", name="iPhone 16", price=639200, stock=10)
    base = live_server.url

    # The admin puts two phones in the basket and orders them: above the limit, so the order is held.
    browser_sign_in(page, base, orderer, company)
    page.goto(f"{base}/products/")
    page.fill("#qty-" + str(Item.objects.get(code="iphone").pk), "2")
    page.click("[data-testid=add-iphone]")
    page.click("[data-testid=basket-link]")
    expect(page.locator("[data-testid=needs-approval]")).to_be_visible()
    expect(page.locator("[data-testid=total-with-vat]")).to_contain_text("15,980.00")
    page.click("[data-testid=place-order]")
    expect(page.locator("[data-testid=order-state]")).to_contain_text("Awaiting approval")
    order = Order.objects.for_company(company).get()

    # The second admin approves from the e-mail: the link opens a page, the button decides.
    message = next(m for m in mail.outbox if m.to == [approver.email])
    link = re.search(r"https?://\S+/products/approve/\S+/", message.body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    order.refresh_from_db()
    assert order.state == Order.State.HELD
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=decision-done]")).to_be_visible()

    # Staff pick and ship it with a tracking number and the serials for zero-touch enrolment.
    browser_sign_in(page, base, staff)
    page.goto(f"{base}/products/staff/")
    page.click(f"text={order.reference}")
    page.click("[data-testid=pick]")
    line = order.lines.get()
    page.fill(f"#id_serials_{line.pk}", "SN-A1\nSN-A2")
    page.fill("#id_carrier", "PostNord")
    page.fill("#id_tracking_number", "00370712345")
    page.fill("#id_tracking_url", "https://tracking.example/00370712345")
    page.click("[data-testid=ship]")
    page.click("[data-testid=complete]")
    expect(page.locator("[data-testid=order-state]")).to_contain_text("Completed")

    # The ordering admin sees the tracking link and the enrolled devices.
    page.context.clear_cookies()
    browser_sign_in(page, base, orderer, company)
    page.goto(f"{base}/products/orders/{order.pk}/")
    expect(page.locator("[data-testid=shipment]")).to_contain_text("00370712345")
    expect(page.locator("[data-testid=enrolment]").first).to_contain_text("Registered")

    # The next billing run puts the phones on the invoice.
    today = dt.date.today()
    run_billing(f"{today:%Y-%m}", by=Actor.system("billing run"), issue_date=today + dt.timedelta(days=31))
    invoice = Invoice.objects.for_company(company).get()
    page.goto(f"{base}/invoices/{invoice.pk}/")
    expect(page.locator("body")).to_contain_text(f"iPhone 16 × 2, order {order.reference}")  # noqa: RUF001


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_products_pages_pass_axe(browser, live_server, language, settings):
    settings.PORTAL_BASE_URL = live_server.url
    company = _company()
    admin = MembershipFactory(company=company, user__email="ole@journey.dk", user__language=language).user
    other = MembershipFactory(company=company, user__email="anna@journey.dk", user__language=language).user
    staff = UserFactory(email="staff@operator.example", is_staff=True, is_superuser=True, language=language)
    from products import actions
    from products.actions import Delivery, WantedLine

    phone = ItemFactory(code="iphone", stock=10)
    esim = ItemFactory(code="esim", kind=Item.Kind.ESIM, price=0, stock=10)
    delivery = Delivery(name="Journey ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")
    order = actions.place_order(
        company=company,
        delivery=delivery,
        billing="months_12",
        by=Actor(user=admin, label="a"),
        lines=[
            WantedLine(item_id=phone.pk, quantity=2),
            WantedLine(item_id=esim.pk, quantity=1, employee_email="e@journey.dk"),
        ],
        approval_url=lambda token: f"{live_server.url}/products/approve/{token}/",
    )
    actions.decide_order(order=order, approve=True, user=other, by=Actor(user=other, label="b"))
    actions.pick_order(order=order, by=Actor.system("staff"))
    lines = {line.item_id: line for line in order.lines.all()}
    actions.ship_order(order=order, quantities={lines[esim.pk].pk: 1}, by=Actor.system("staff"))
    held = actions.place_order(
        company=company,
        delivery=delivery,
        billing="one_off",
        by=Actor(user=admin, label="a"),
        lines=[WantedLine(item_id=phone.pk, quantity=2)],
    )
    assert held.state == Order.State.HELD
    source = AXE.read_text()
    found: dict = {}
    for user, is_staff in ((admin, False), (staff, True)):
        urls = [u for u in html_pages(user, company, staff=is_staff) if u.startswith("/products/")]
        # The order pages, and the overview with the Products section.
        urls += [f"/products/orders/{order.pk}/", "/"] if not is_staff else [f"/products/staff/orders/{order.pk}/"]
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        browser_sign_in(page, live_server.url, user, company)
        if not is_staff:  # a basket with lines and the checkout form, and its errors
            page.goto(f"{live_server.url}/products/")
            page.click("[data-testid=add-iphone]")
            page.goto(f"{live_server.url}/products/basket/")
            _axe(page, source, found, "basket with a line")
            page.check("input[name=deliver_to][value=other]")
            page.click("[data-testid=place-order]")
            _axe(page, source, found, "basket with errors")
        else:  # a count checked against a stale value: the page again, with the new value and the message
            page.goto(f"{live_server.url}/products/staff/catalogue/{phone.pk}/")
            page.check("input[name=stock-kind][value=count]")
            page.fill("input[name=stock-quantity]", "3")
            page.evaluate("document.querySelector('input[name=stock-seen]').value = '99'")
            page.click("[data-testid=adjust-stock]")
            expect(page.locator("form .errorlist")).to_be_visible()
            _axe(page, source, found, "stock count on a stale value")
        violations, _count = scan(page, live_server.url, sorted(set(urls)), language)
        found |= violations
        context.close()
    # The public confirm pages (the approval link and the eSIM link), before and after the button.
    context = browser.new_context(viewport=DESKTOP, locale={"en": "en-GB", "da": "da-DK"}[language])
    page = context.new_page()
    token = actions.approval_token(held, other.pk)
    page.goto(f"{live_server.url}/products/approve/{token}/")
    _axe(page, source, found, "approval confirm page")
    activation = lines[esim.pk].activations.get()
    page.goto(f"{live_server.url}/products/esim/{actions.activation_token(activation)}/")
    _axe(page, source, found, "eSIM confirm page")
    page.click("[data-testid=esim-show]")
    expect(page.locator("[data-testid=esim-qr] svg")).to_be_visible()
    _axe(page, source, found, "eSIM QR code")
    context.close()
    assert not found, found
