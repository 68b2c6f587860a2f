"""A main admin sets up single sign-on in a browser: a domain and its TXT record, Check now, the identity provider
(the real OpenID Connect provider), Test sign-in through it, then Require single sign-on."""

import pytest
from playwright.sync_api import Page, expect

from companies.models import Company
from portal.testing import browser_sign_in
from sso.dns import FakeResolver
from sso.models import SsoConfiguration, SsoDomain
from sso.tests.test_self_service import main_admin
from sso.tests.test_sso import fake_dns, idp, needs_provider  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_provider]


def test_a_main_admin_sets_up_tests_and_requires_single_sign_on(page: Page, idp: tuple[str, Company]) -> None:  # noqa: F811
    base, company = idp
    issuer = SsoConfiguration.all_companies.get(company=company).server_url
    # From scratch: no set-up, no domain (the provider's redirect URI already names this company).
    SsoConfiguration.all_companies.filter(company=company).delete()
    SsoDomain.all_companies.filter(company=company).delete()
    FakeResolver.records = {}
    admin = main_admin(company, "anna@acme.example")
    browser_sign_in(page, base, admin, company)

    page.goto(f"{base}/sso/")
    page.fill("input[name=domain]", "acme.example")
    page.get_by_test_id("sso-add-domain").click()
    record = SsoDomain.all_companies.get(company=company).txt_record
    expect(page.locator("code", has_text=record)).to_be_visible()
    FakeResolver.records["acme.example"] = [record]  # the admin publishes it in DNS
    page.get_by_test_id("sso-check").click()
    expect(page.get_by_test_id("sso-check")).to_have_count(0)  # verified: nothing left to check
    assert SsoDomain.all_companies.get(company=company).is_verified

    page.get_by_test_id("sso-edit").click()
    page.check("input[name=protocol][value=oidc]")
    page.fill("input[name=server_url]", issuer)
    page.fill("input[name=client_id]", "portal")
    page.fill("input[name=client_secret]", "s3cret-of-the-idp")
    page.get_by_test_id("sso-save").click()
    page.wait_for_url(f"{base}/sso/")
    expect(page.get_by_test_id("sso-require")).to_be_disabled()  # not tested yet

    page.get_by_test_id("sso-test").click()
    page.wait_for_url(lambda url: "/interaction/" in url)
    page.fill("input[name=login]", "anna@acme.example")
    page.fill("input[name=password]", "whatever-the-idp-checks")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/interaction/" in url and "login" not in url)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{base}/sso/")
    expect(page.get_by_test_id("sso-tested")).to_contain_text("anna@acme.example")

    page.get_by_test_id("sso-require").click()
    expect(page.get_by_test_id("sso-unrequire")).to_be_visible()
    assert SsoConfiguration.all_companies.get(company=company).required
