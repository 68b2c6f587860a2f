"""The whole Numbers journey in a browser: a port request through rejection to completion, then a call flow."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.tests.browser import complete_two_factor
from accounts.tests.factories import PASSWORD, UserFactory
from companies.tests.factories import CompanyFactory, MembershipFactory
from numbering.models import PhoneNumber, PortRequest
from numbering.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    user = User.objects.get(email=email)
    if user.is_staff:
        complete_two_factor(page, user)


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_it_ports_numbers_and_builds_a_call_flow(page: Page, live_server):
    company = CompanyFactory(name="Journey ApS")
    admin = MembershipFactory(company=company, user__email="admin@journey.dk").user
    UserFactory(email="staff@operator.example", is_staff=True, is_superuser=True)
    anna = SubscriptionFactory(company=company, user_name="Anna Andersen", phone_number="+4520111111")
    base = live_server.url

    # The admin submits a port request, signed in the portal.
    sign_in(page, base, admin.email)
    page.goto(f"{base}/numbers/")
    page.click("[data-testid=new-port]")
    page.fill("#id_numbers", "33 12 34 56\n33 12 34 57")
    page.select_option("#id_current_operator", "telia")
    page.fill("#id_customer_number", "TL-1")
    page.fill("#id_signed_name", "Admin Journey")
    page.check("#id_consent")
    page.click("[data-testid=port-submit]")
    expect(page.locator("[data-testid=port-status]")).to_contain_text("Submitted")
    port = PortRequest.all_companies.get()
    assert port.signed_by == admin

    # Staff reject it.
    sign_out(page)
    sign_in(page, base, "staff@operator.example")
    page.goto(f"{base}/numbers/staff/")
    page.click(f"text={port.reference}")
    page.fill("[data-testid=staff-reject-form] textarea", "Kundenummeret passer ikke")
    page.click("[data-testid=staff-reject]")
    expect(page.locator("[data-testid=port-status]")).to_contain_text("Rejected")

    # The admin corrects and resubmits.
    sign_out(page)
    sign_in(page, base, admin.email)
    page.goto(f"{base}/numbers/ports/{port.pk}/")
    expect(page.locator("[data-testid=rejection]")).to_contain_text("Kundenummeret passer ikke")
    page.click("[data-testid=port-correct]")
    page.fill("#id_customer_number", "TL-2")
    page.click("[data-testid=port-submit]")
    expect(page.locator("[data-testid=port-status]")).to_contain_text("Submitted")

    # Staff schedule and complete it.
    sign_out(page)
    sign_in(page, base, "staff@operator.example")
    page.goto(f"{base}/numbers/staff/ports/{port.pk}/")
    day = timezone.localdate() + datetime.timedelta(days=2)
    page.fill("[data-testid=staff-schedule-form] input[name=date]", day.isoformat())
    page.fill("[data-testid=staff-schedule-form] input[name=time]", "06:00")
    page.click("[data-testid=staff-schedule]")
    expect(page.locator("[data-testid=port-status]")).to_contain_text("Scheduled")
    page.click("[data-testid=staff-complete]")
    expect(page.locator("[data-testid=port-status]")).to_contain_text("Completed")
    assert set(PhoneNumber.objects.filter(company=company).values_list("number", flat=True)) == {
        "+4533123456",
        "+4533123457",
    }

    # The numbers are now in the admin's overview.
    sign_out(page)
    sign_in(page, base, admin.email)
    page.goto(f"{base}/numbers/")
    expect(page.locator("[data-testid=landline-row]")).to_have_count(2)

    # The admin builds a call flow with opening hours and an IVR.
    page.goto(f"{base}/numbers/flow/edit/")
    page.fill("#id_schedule-day_0", "08:00-12:00, 12:30-16:00")
    page.fill("#id_schedule-day_5", "")
    page.fill("#id_dest-0-key", "vm")
    page.select_option("#id_dest-0-type", "voicemail")
    page.fill("#id_dest-0-name", "Svarer")
    page.fill("#id_dest-0-email", "post@journey.dk")
    page.fill("#id_routes-open", "vm")
    page.fill("#id_routes-closed", "vm")
    page.fill("#id_routes-holiday", "vm")
    page.click("[data-testid=flow-save]")
    expect(page.locator("[data-testid=flow-version]")).to_contain_text("1")

    page.goto(f"{base}/numbers/flow/edit/")
    page.fill("#id_dest-1-key", "menu")
    page.select_option("#id_dest-1-type", "ivr")
    page.fill("#id_dest-1-name", "Menu")
    page.fill("#id_dest-1-greeting", "Tast 1 for Anna")
    page.fill("#id_dest-1-options", "1=anna")
    page.fill("#id_dest-1-timeout", "5")
    page.fill("#id_dest-1-timeout_dest", "vm")
    page.fill("#id_routes-open", "menu")
    page.click("[data-testid=flow-save]")
    # A menu choice pointing to a missing destination is refused with the reason.
    expect(page.locator("[data-testid=flow-errors]")).to_contain_text("anna")
    page.click("[data-testid=add-destination]")
    page.fill("#id_dest-2-key", "anna")
    page.select_option("#id_dest-2-type", "ring_group")
    page.select_option("#id_dest-2-members", str(anna.pk))
    page.select_option("#id_dest-2-strategy", "simultaneous")
    page.fill("#id_dest-2-ring_time", "20")
    page.fill("#id_dest-2-overflow", "vm")
    page.click("[data-testid=flow-save]")
    expect(page.locator("[data-testid=flow-version]")).to_contain_text("2")

    # Test a call on a weekday with a key, on a Saturday and on a holiday.
    page.fill("#id_date", "2026-11-24")
    page.fill("#id_time", "09:00")
    page.fill("#id_digits", "1")
    page.click("[data-testid=test-call]")
    expect(page.locator("[data-testid=call-path]")).to_contain_text("Anna Andersen")
    page.fill("#id_date", "2026-11-28")
    page.fill("#id_time", "10:00")
    page.click("[data-testid=test-call]")
    expect(page.locator("[data-testid=call-period]")).to_have_text("Closed")
    page.fill("#id_date", "2026-12-25")
    page.click("[data-testid=test-call]")
    expect(page.locator("[data-testid=call-period]")).to_have_text("Holiday")
    # English page: the holiday is named in English (issue 12: no Danish on English pages).
    expect(page.locator("[data-testid=call-path]")).to_contain_text("Christmas Day")

    # Roll back to version 1.
    page.goto(f"{base}/numbers/flow/versions/")
    page.click("text=Version 1")
    page.click("[data-testid=rollback]")
    page.click("[data-testid=confirm-rollback]")  # the page says what changes and asks first
    expect(page.locator("[data-testid=flow-version]")).to_contain_text("Active version 3")
    page.fill("#id_date", "2026-11-24")
    page.fill("#id_time", "09:00")
    page.click("[data-testid=test-call]")
    expect(page.locator("[data-testid=call-path]")).to_contain_text("Svarer")
