"""The SSO journey in a browser: the portal's sign-in page, the company's real OpenID Connect provider, back."""

import pytest
from playwright.sync_api import Page, expect

from companies.models import Company
from sso.tests.test_sso import admin_of, fake_dns, idp, needs_provider  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_provider]


def test_an_admin_signs_in_through_the_company_idp_without_a_password(page: Page, idp: tuple[str, Company]) -> None:  # noqa: F811
    base, company = idp
    admin_of(company)
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_test_id("sso-hint")).to_be_visible()
    page.fill("input[name=login]", "anna@acme.example")
    page.click("[data-testid=login-submit]")
    # The company's identity provider: its own sign-in page, then its consent page.
    page.wait_for_url(lambda url: "/interaction/" in url)
    page.fill("input[name=login]", "anna@acme.example")
    page.fill("input[name=password]", "whatever-the-idp-checks")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/interaction/" in url and "login" not in url)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_test_id("company-name")).to_have_text("Acme A/S")
