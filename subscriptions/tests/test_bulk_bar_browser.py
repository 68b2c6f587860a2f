"""The bulk-update bar in a real browser: it appears when rows are ticked, shows the count and only the chosen
action's fields, and an error brings the list back with the same rows ticked (issue 12)."""

import pytest
from playwright.sync_api import Page, expect

from companies.tests.factories import MembershipFactory
from portal.testing import browser_sign_in
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bar_appears_on_ticking_and_an_error_keeps_the_ticks(page: Page, live_server, personas):
    subs = [SubscriptionFactory(company=personas.company_a, user_name=f"Bruger {i}") for i in range(4)]
    browser_sign_in(page, live_server.url, personas.admin_a, personas.company_a)
    page.goto(f"{live_server.url}/subscriptions/")
    bar = page.get_by_test_id("bulk-panel")
    expect(bar).to_be_hidden()

    page.get_by_label("Select Bruger 1").check()
    expect(bar).to_be_visible()
    expect(page.get_by_test_id("bulk-count")).to_have_text("1 subscription selected")
    page.get_by_label("Select Bruger 3").check()
    expect(page.get_by_test_id("bulk-count")).to_have_text("2 subscriptions selected")

    # Only the chosen action's fields.
    expect(page.get_by_test_id("bulk-fields-cancel")).to_be_visible()
    expect(page.get_by_test_id("bulk-fields-change_product")).to_be_hidden()
    expect(page.get_by_test_id("bulk-fields-cost_centre")).to_be_hidden()
    page.get_by_test_id("bulk-action").select_option("cost_centre")
    expect(page.get_by_test_id("bulk-fields-cost_centre")).to_be_visible()
    expect(page.get_by_test_id("bulk-fields-cancel")).to_be_hidden()
    page.get_by_test_id("bulk-action").select_option("cancel")

    # No last day: the list comes back with the error beside the field and the same two rows ticked.
    page.get_by_label("Reason").fill("Omstrukturering")
    page.get_by_test_id("bulk-preview").click()
    expect(page.get_by_test_id("bulk-error-end_date")).to_have_text("Choose the last day.")
    expect(bar).to_be_visible()
    expect(page.get_by_test_id("bulk-count")).to_have_text("2 subscriptions selected")
    expect(page.get_by_label("Select Bruger 1")).to_be_checked()
    expect(page.get_by_label("Select Bruger 3")).to_be_checked()
    expect(page.get_by_label("Select Bruger 0")).not_to_be_checked()
    expect(page.get_by_label("Reason")).to_have_value("Omstrukturering")
    assert page.url.endswith("/subscriptions/bulk/")

    # Unticking everything hides the bar again... unless it has errors to show: it stays.
    page.get_by_label("Select Bruger 1").uncheck()
    page.get_by_label("Select Bruger 3").uncheck()
    expect(bar).to_be_visible()
    expect(page.get_by_test_id("bulk-count")).to_have_text("Tick the subscriptions to change.")

    # Fixed: on to the preview as before; nothing changed yet.
    page.get_by_label("Select Bruger 1").check()
    page.get_by_label("Last day").fill("2099-01-31")
    page.get_by_test_id("bulk-preview").click()
    expect(page.get_by_test_id("bulk-preview-summary")).to_contain_text("1 subscription will be cancelled")
    assert not Subscription.all_companies.exclude(status="active").exists()
    assert len(subs) == 4


def test_the_header_box_ticks_the_page_and_offers_all_matching(page: Page, live_server, personas):
    SubscriptionFactory.create_batch(3, company=personas.company_a)
    admin = MembershipFactory(company=personas.company_a).user
    browser_sign_in(page, live_server.url, admin, personas.company_a)
    page.goto(f"{live_server.url}/subscriptions/")
    page.get_by_label("Select all on this page").check()
    expect(page.get_by_test_id("bulk-count")).to_have_text("3 subscriptions selected")
    page.get_by_label("All 3 subscriptions matching the current search").check()
    expect(page.get_by_test_id("bulk-count")).to_have_text("All 3 subscriptions matching the search selected")
