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


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_sso_pages_with_a_saml_set_up_pass_axe(browser, live_server, language: str) -> None:  # type: ignore[no-untyped-def]
    """The company's page and the staff's, with a SAML set-up and domains in both states (the page walk in
    portal/tests/test_accessibility.py sees them empty): desktop and phone, 0 violations."""
    from accounts.tests.factories import UserFactory  # staff with an authenticator: no TOTP set-up page
    from audit.actor import Actor
    from companies.models import Membership
    from portal.testing import browser_sign_in
    from portal.tests.test_accessibility import DESKTOP, scan
    from sso import actions
    from sso.tests.test_saml import make_saml_company

    company = make_saml_company(verified=True)
    actions.claim_domain(company, "acme-group.example", by=Actor.system("test"))
    main = admin_of(company, "main@acme.example")
    Membership.objects.filter(user=main).update(is_main_admin=True)
    staff = UserFactory(is_staff=True)
    found: dict[str, list[dict]] = {}
    for user, url in ((main, "/sso/"), (staff, "/sso/staff/")):
        user.language = language
        user.save()
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        browser_sign_in(page, live_server.url, user, company)
        violations, _count = scan(page, live_server.url, [url], language)
        found |= violations
        context.close()
    assert not found, found
