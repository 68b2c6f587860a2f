"""In a real browser: a main admin invites, the invitee accepts on the confirm page, then acts in the area granted.

The confirm page is also scanned with axe-core in English and Danish (it is public, so the route walkers'
accessibility scan does not reach it).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from companies.models import Invitation, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from outbox.models import OutboxMessage
from portal.testing import browser_sign_in
from portal.tests.test_accessibility import AXE, RUN_AXE, TAGS
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Hvid-Kanin-Springer-42"


def _axe(page: Page) -> list[dict]:
    page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE, TAGS)


def test_a_main_admin_invites_and_the_invitee_accepts_and_acts(page: Page, live_server, browser):
    company = CompanyFactory(name="Rejse ApS")
    main = MembershipFactory(company=company, is_main_admin=True, user__email="main@rejse.dk").user
    base = live_server.url

    browser_sign_in(page, base, main, company)
    page.goto(f"{base}/")
    page.get_by_test_id("settings-menu").click()
    page.get_by_test_id("admins-menu").click()
    expect(page.get_by_test_id("lockout-warning")).to_contain_text("only one main admin")
    page.get_by_test_id("invite-admin").click()
    page.fill("#id_email", "nina@rejse.dk")
    page.fill("#id_first_name", "Nina")
    page.select_option("#id_language", "en")
    page.check("input[name=level_tickets][value=full]")
    page.get_by_test_id("send-invitation").click()
    expect(page.get_by_test_id("invitation-row")).to_contain_text("nina@rejse.dk")

    [mail] = OutboxMessage.objects.filter(to=["nina@rejse.dk"])
    link = re.search(r"https?://\S+/invitation/\S+/", mail.body).group(0)
    path = "/" + link.split("/", 3)[3]

    # A mail scanner (its own browser context) follows the link: nothing is used.
    for locale in ("en-GB", "da-DK"):
        scanner = browser.new_context(locale=locale)
        scan_page = scanner.new_page()
        scan_page.goto(base + path)
        expect(scan_page.get_by_test_id("invitation-title")).to_be_visible()
        assert _axe(scan_page) == [], locale
        scanner.close()
    assert Invitation.all_companies.get().accepted_at is None

    invitee = browser.new_context(locale="en-GB")
    invitee_page = invitee.new_page()
    invitee_page.goto(base + path)
    invitee_page.fill("#id_password1", PASSWORD)
    invitee_page.fill("#id_password2", PASSWORD)
    invitee_page.get_by_test_id("invitation-accept").click()
    invitee_page.wait_for_url(f"{base}/")
    expect(invitee_page.get_by_test_id("company-name")).to_have_text("Rejse ApS")

    # Acts within the area granted: a support ticket...
    invitee_page.goto(f"{base}/tickets/new/")
    invitee_page.select_option("#id_category", "technical_fault")
    invitee_page.fill("#id_subject", "Ingen dækning i lageret")
    invitee_page.fill("#id_description", "Ingen af os har dækning i lageret siden i går.")
    invitee_page.click("[data-testid=ticket-submit]")
    expect(invitee_page.get_by_test_id("ticket-subject")).to_have_text("Ingen dækning i lageret")
    assert Ticket.all_companies.get().company == company
    # ...and nothing beyond it.
    response = invitee_page.goto(f"{base}/subscriptions/")
    assert response is not None and response.status == 403
    membership = Membership.objects.get(user__email="nina@rejse.dk")
    assert membership.areas == ["tickets"] and membership.granted_by == main
    invitee.close()
