"""The whole ticket life in a browser: an admin asks, staff answer, the admin sees it."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.browser import complete_two_factor
from accounts.tests.factories import PASSWORD, UserFactory
from companies.tests.factories import CompanyFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    user = User.objects.get(email=email)
    if user.is_staff:
        complete_two_factor(page, user)
    page.wait_for_url(f"{base}/")


def test_it_creates_lists_opens_replies_and_shows_the_staff_answer(page, live_server, browser):
    company = CompanyFactory(name="Journey ApS")
    admin = MembershipFactory(company=company, user__email="admin@journey.dk").user
    UserFactory(email="support@operator.example", is_staff=True)
    base = live_server.url

    _sign_in(page, base, admin.email)
    page.click("[data-testid=create-ticket]")
    page.select_option("#id_category", "technical_fault")
    page.fill("#id_subject", "Ingen dækning i kantinen")
    page.fill("#id_description", "Ingen af os har dækning i kantinen siden i går.")
    page.click("[data-testid=ticket-submit]")
    expect(page.get_by_test_id("ticket-subject")).to_have_text("Ingen dækning i kantinen")

    page.goto(f"{base}/")
    row = page.get_by_test_id("ticket-row").filter(has_text="Ingen dækning i kantinen")
    expect(row).to_be_visible()
    row.get_by_role("link", name="Show more").click()
    page.fill("#id_body", "Det gælder også mødelokalet.")
    page.click("[data-testid=reply-submit]")
    expect(page.get_by_test_id("message").filter(has_text="Det gælder også mødelokalet.")).to_be_visible()

    staff_context = browser.new_context()
    staff_page = staff_context.new_page()
    _sign_in(staff_page, base, "support@operator.example")
    staff_page.goto(f"{base}/tickets/staff/")
    staff_page.get_by_test_id("queue-row").filter(has_text="Ingen dækning i kantinen").get_by_role(
        "link", name="Ingen dækning i kantinen"
    ).click()
    staff_page.click("[data-testid=assign-self]")
    staff_page.fill("#id_body", "Vi har genstartet masten. Prøv igen nu.")
    staff_page.click("[data-testid=staff-reply-submit]")
    expect(staff_page.get_by_test_id("message").filter(has_text="Vi har genstartet masten.")).to_be_visible()
    staff_context.close()

    page.goto(f"{base}/")
    row = page.get_by_test_id("ticket-row").filter(has_text="Ingen dækning i kantinen")
    expect(row.get_by_test_id("unread-badge")).to_be_visible()
    row.get_by_role("link", name="Show more").click()
    expect(page.get_by_test_id("message").filter(has_text="Vi har genstartet masten. Prøv igen nu.")).to_be_visible()
    expect(page.get_by_test_id("ticket-status")).to_have_text("In progress")
