"""The profile's add-ons, service blocks and suspension, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, UserFactory
from audit.models import AuditEvent
from companies.tests.factories import CompanyFactory, MembershipFactory
from subscriptions.catalogue import ensure_catalogue
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sub():
    products = ensure_catalogue()
    company = CompanyFactory(name="Nordlys Test A/S")
    MembershipFactory(company=company, user=UserFactory(email="profile@nordlys.dk"))
    return SubscriptionFactory(company=company, user_name="Åse Ågesen", product=products["mobil-plus-30"])


def test_it_changes_add_ons_blocks_and_suspends_from_the_profile(page: Page, live_server, sub, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "profile@nordlys.dk")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/subscriptions/{sub.pk}/")

    # Add an add-on: the price change is shown before confirming.
    page.click("[data-testid=change-add-ons]")
    page.get_by_label(re.compile("Extra data 20 GB")).check()
    page.click("[data-testid=preview]")
    expect(page.locator("[data-testid=price-difference]")).to_contain_text("49.00")
    page.screenshot(path=str(tmp_path / "add-ons-preview.png"), full_page=True)
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=add-ons]")).to_contain_text("Extra data 20 GB")
    expect(page.locator("[data-testid=monthly-total]")).to_contain_text("198.00")

    # Block mobile data under Mobile.
    page.get_by_label("Block mobile data").check()
    page.click("[data-testid=save-blocks]")
    expect(page.locator(".alert-success")).to_contain_text("service blocks were saved")
    expect(page.get_by_label("Block mobile data")).to_be_checked()

    # Suspend with a reason, then resume.
    page.click("[data-testid=suspend]")
    page.fill("input[name=reason]", "Orlov til 1. marts")
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=suspended]")).to_contain_text("Orlov til 1. marts")
    expect(page.locator("[data-testid=phone]")).to_contain_text(sub.phone_number[3:5])
    page.click("[data-testid=resume]")
    expect(page.locator("[data-testid=status]")).to_have_text("Active")
    expect(page.locator("[data-testid=history]")).to_contain_text("Resumed subscription")

    sub.refresh_from_db()
    assert (sub.status, sub.block_data) == (Subscription.Status.ACTIVE, True)
    assert list(
        AuditEvent.all_companies.filter(target_type="subscriptions.subscription", target_id=str(sub.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "subscription.add_ons_changed",
        "subscription.blocks_changed",
        "subscription.suspended",
        "subscription.resumed",
    ]
