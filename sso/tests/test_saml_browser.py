"""The SAML journey in a browser: the portal's sign-in page, the company's real SAML IdP (pysaml2), its signed
assertion posted back by its own auto-submitting form, the portal's overview."""

import pytest
from playwright.sync_api import Page, expect

from companies.models import Company
from sso.tests.saml_idp import SamlIdentityProvider
from sso.tests.test_saml import needs_xmlsec1, saml_idp  # noqa: F401 (fixtures)
from sso.tests.test_sso import admin_of, fake_dns  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_xmlsec1]


def test_an_admin_signs_in_through_the_company_saml_idp(
    page: Page,
    saml_idp: tuple[str, Company, SamlIdentityProvider],  # noqa: F811
) -> None:
    base, company, idp = saml_idp
    admin_of(company)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "anna@acme.example")
    page.click("[data-testid=login-submit]")
    # The company's identity provider's own sign-in page (HTTP-Redirect binding brought the AuthnRequest).
    page.wait_for_url(lambda url: url.startswith(idp.sso_url))
    expect(page.get_by_role("heading", name="Acme identity provider")).to_be_visible()
    page.fill("input[name=email]", "anna@acme.example")
    page.fill("input[name=password]", "whatever-the-idp-checks")
    page.get_by_role("button", name="Sign in at Acme").click()
    # Its answer goes back on the HTTP-POST binding; the portal checks it and signs the admin in.
    page.wait_for_url(f"{base}/")
    expect(page.get_by_test_id("company-name")).to_have_text("Acme A/S")
