"""In a real browser: the admin sets a cap, imported usage crosses 80 % (the warning is in the mail sink), more
usage bars the line, the employee asks for a raise from the e-mail, the admin approves from the e-mail's
confirm page, and the bar is lifted. The new pages are scanned with axe-core in English and Danish."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from companies.tests.factories import CompanyFactory, MembershipFactory
from guardrails.tests.helpers import import_rows
from outbox.models import OutboxMessage
from portal.testing import browser_sign_in
from portal.tests.test_accessibility import DESKTOP, scan
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "+4520123456"


def _link(to: str, kind: str) -> str:
    """The link of the latest e-mail to ``to`` that carries one of this kind."""
    mail = OutboxMessage.objects.filter(to=[to], body__contains=f"/guardrails/links/{kind}/").latest("id")
    return re.search(rf"https?://[^/\s]+(/guardrails/links/{kind}/\S+/)", mail.body).group(1)


def _axe_public(browser, base: str, path: str) -> dict:
    found: dict = {}
    for locale, language in (("en-GB", "en"), ("da-DK", "da")):
        context = browser.new_context(viewport=DESKTOP, locale=locale)
        violations, _count = scan(context.new_page(), base, [path], language)  # a GET: spends nothing
        found |= {f"{path} ({language})": v for v in violations.values()}
        context.close()
    return found


def test_cap_warning_bar_raise_request_approval_and_lift(page: Page, live_server, browser):
    company = CompanyFactory(name="Rejse ApS")
    admin = MembershipFactory(company=company, user__email="admin@rejse.dk", user__language="en").user
    sub = SubscriptionFactory(company=company, phone_number=PHONE, email="mette@rejse.dk", user_name="Mette Holm")
    base = live_server.url

    # The admin sets a data cap of 1 GB for everyone.
    browser_sign_in(page, base, admin, company)
    page.goto(f"{base}/guardrails/")
    expect(page.get_by_test_id("guardrails-title")).to_be_visible()
    page.get_by_test_id("edit-everyone").click()
    page.fill("#id_data_cap_gb", "1")
    page.get_by_test_id("save-policy").click()
    expect(page.get_by_test_id("policies")).to_contain_text("1.00 GB")

    # Usage crosses 80 %: the warning is in the mail sink, for the admin and the employee.
    import_rows((PHONE, "data", 900, 0, ""))
    assert OutboxMessage.objects.filter(to=["admin@rejse.dk"], subject__contains="80 %").count() == 1
    assert OutboxMessage.objects.filter(to=["mette@rejse.dk"], subject__contains="80 %").count() == 1

    # More usage bars the line; the profile says why.
    import_rows((PHONE, "data", 200, 0, ""))
    assert Subscription.all_companies.get(pk=sub.pk).block_data
    assert OutboxMessage.objects.filter(to=["admin@rejse.dk"], subject__contains="is barred").count() == 1
    page.goto(f"{base}/subscriptions/{sub.pk}/")
    page.get_by_test_id("why-barred").click()
    expect(page.get_by_test_id("active-bars")).to_contain_text("block mobile data")
    expect(page.get_by_test_id("timeline")).to_contain_text("Barred by the guardrail for mobile data")

    # The employee asks for a raise from the bar e-mail's link (a scanner's GET spends nothing).
    ask = _link("mette@rejse.dk", "ask")
    found = _axe_public(browser, base, ask)
    employee = browser.new_context(locale="da-DK").new_page()
    employee.goto(base + ask)
    employee.fill("#id_amount", "2")
    employee.fill("#id_reason", "Messe i Hamborg hele ugen")
    employee.get_by_test_id("ask-submit").click()
    expect(employee.get_by_test_id("ask-sent")).to_be_visible()

    # The admin approves from the e-mail's confirm page (no sign-in needed; a GET decides nothing).
    decide = _link("admin@rejse.dk", "decide")
    found |= _axe_public(browser, base, decide)
    approver = browser.new_context(locale="en-GB").new_page()
    approver.goto(base + decide)
    expect(approver.get_by_test_id("decide-title")).to_contain_text("Mette Holm")
    approver.get_by_test_id("approve").click()
    expect(approver.get_by_test_id("decided")).to_contain_text("Approved")

    # The bar is lifted at once, and the timeline tells the story.
    assert not Subscription.all_companies.get(pk=sub.pk).block_data
    page.goto(f"{base}/guardrails/line/{sub.pk}/")
    expect(page.get_by_test_id("active-bars")).to_contain_text("No guardrail bars")
    expect(page.get_by_test_id("timeline-lifted")).to_contain_text("a temporary raise was approved")
    expect(page.get_by_test_id("timeline-decided")).to_contain_text("admin@rejse.dk")

    # axe on the signed-in pages, in both languages.
    pages = [
        "/guardrails/",
        "/guardrails/everyone/",
        f"/guardrails/line/{sub.pk}/",
        f"/guardrails/line/{sub.pk}/rules/",
    ]
    for language in ("en", "da"):
        admin.language = language
        admin.save()
        context = browser.new_context(viewport=DESKTOP)
        scanner = context.new_page()
        browser_sign_in(scanner, base, admin, company)
        violations, _count = scan(scanner, base, pages, language)
        found |= {f"{k} ({language})": v for k, v in violations.items()}
        context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
