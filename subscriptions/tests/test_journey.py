"""The admin's journey through the Subscriptions area, in a real browser."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, UserFactory
from audit.models import AuditEvent
from companies.tests.factories import CompanyFactory, MembershipFactory
from subscriptions.catalogue import ensure_catalogue
from subscriptions.models import NumberPool, Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin():
    products = ensure_catalogue()
    NumberPool.objects.bulk_create([NumberPool(phone_number=f"+4542{n:06d}") for n in range(100000, 100005)])
    company = CompanyFactory(name="Nordlys Test A/S")
    user = UserFactory(email="journey@nordlys.dk")
    MembershipFactory(company=company, user=user)
    for name in ["Åse Ågesen", "Bo Bæk", "Zara Zink", "Ølstrup Ørsted", "Ærle Æbelø", "Anna Andersen"]:
        SubscriptionFactory(company=company, user_name=name, product=products["mobil-basis-5"])
    SubscriptionFactory(
        company=company, user_name="Søren Sørensen", phone_number="+4520123456", product=products["mobil-basis-5"]
    )
    return user


def names(page: Page) -> list[str]:
    return page.locator("[data-testid=subscription-row] td:nth-child(2) a").all_inner_texts()


def test_it_walks_through_the_subscriptions_area(page: Page, live_server, admin, tmp_path):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/subscriptions/")

    # Danish order, then search as one types (htmx) with the URL following.
    assert names(page)[-3:] == ["Ærle Æbelø", "Ølstrup Ørsted", "Åse Ågesen"]
    page.fill("[data-testid=search]", "20 12 34 56")
    expect(page.locator("[data-testid=subscription-row]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=20"))
    page.fill("[data-testid=search]", "")
    expect(page.locator("[data-testid=subscription-row]")).to_have_count(7)

    # Sort by name, reversed, from the column header.
    page.click("[data-testid=sort-name]")
    expect(page.locator("[data-testid=subscription-row]").first).to_contain_text("Åse Ågesen")
    expect(page).to_have_url(re.compile(r"sort=-name"))

    # Open a profile and reveal the PUK (audited).
    page.click("text=Søren Sørensen")
    page.click("[data-testid=reveal]")
    expect(page.locator("[data-testid=puk]")).to_have_text("87654321")
    assert AuditEvent.all_companies.filter(action="subscription.secret_revealed").count() == 1

    # Upgrade with the price difference shown first.
    page.click("[data-testid=change-product]")
    page.get_by_label(re.compile("Mobile Plus 30 GB")).check()
    page.click("[data-testid=preview]")
    expect(page.locator("[data-testid=price-difference]")).to_contain_text("50.00")
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=product]")).to_contain_text("Mobile Plus 30 GB")

    # Cancel with a date, a reason and a confirmation.
    page.click("[data-testid=cancel]")
    day = timezone.localdate() + datetime.timedelta(days=45)
    page.fill("input[name=end_date]", day.isoformat())
    page.fill("input[name=reason]", "Fratrådt")
    page.click("[data-testid=continue]")
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=pending-cancellation]")).to_be_visible()

    # Create a subscription through the whole guide.
    page.goto(f"{live_server.url}/subscriptions/")
    page.click("[data-testid=create-subscription]")
    page.fill("input[name=user_name]", "Øjvind Åberg")
    page.fill("input[name=email]", "oa@nordlys.dk")
    page.click("[data-testid=next]")
    page.get_by_label(re.compile("Mobile Pro 100 GB")).check()
    page.click("[data-testid=next]")
    page.get_by_label("A new number", exact=True).check()
    page.select_option("select[name=pool_number]", "+4542100002")
    page.click("[data-testid=next]")
    page.get_by_label("eSIM", exact=True).check()
    page.click("[data-testid=next]")
    expect(page.locator("[data-testid=monthly]")).to_contain_text("199.00")
    page.click("[data-testid=create-confirm]")
    expect(page.locator("h1")).to_contain_text("Øjvind Åberg")
    assert Subscription.all_companies.filter(user_name="Øjvind Åberg", phone_number="+4542100002").count() == 1

    # Bulk-cancel three.
    page.goto(f"{live_server.url}/subscriptions/")
    for name in ["Anna Andersen", "Bo Bæk", "Zara Zink"]:
        page.get_by_label(f"Select {name}").check()
    page.select_option("[data-testid=bulk-action]", "cancel")
    page.fill("#bulk-date", (timezone.localdate() + datetime.timedelta(days=60)).isoformat())
    page.fill("#bulk-reason", "Omstrukturering")
    page.click("[data-testid=bulk-preview]")
    expect(page.locator("[data-testid=bulk-preview-summary]")).to_contain_text("3 subscriptions will be cancelled")
    page.click("[data-testid=bulk-apply]")
    expect(page.locator(".alert-success")).to_contain_text("3 subscriptions were changed")
    assert Subscription.all_companies.filter(cancel_reason="Omstrukturering").count() == 3

    # Download the CSV.
    with page.expect_download() as download_info:
        page.click("[data-testid=csv-download]")
    download = download_info.value
    assert download.suggested_filename.startswith("subscription-overview-nordlys-test-as-")
    path = tmp_path / "overview.csv"
    download.save_as(path)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Øjvind Åberg" in content.decode("utf-8-sig")
