"""An employee of a company whose identity provider is SAML 2.0 (a REAL IdP, pysaml2's, as in sso/tests) signs in
to their own subscription the same way as through OpenID Connect."""

import html
import re

import pytest

from accounts.models import User
from companies.models import Company
from employees.tests.test_sso import start_employee_sign_in
from sso.tests.saml_idp import SamlIdentityProvider
from sso.tests.test_saml import needs_xmlsec1, post_assertion, saml_idp  # noqa: F401 (fixtures)
from sso.tests.test_sso import fake_dns  # noqa: F401 (fixtures)
from subscriptions.tests.factories import SubscriptionFactory


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_an_employee_signs_in_through_the_company_saml_idp(
    saml_idp: tuple[str, Company, SamlIdentityProvider],  # noqa: F811
) -> None:
    base, company, idp = saml_idp
    sub = SubscriptionFactory(company=company, email="bo@acme.example", user_name="Bo")
    session, response = start_employee_sign_in(base, "bo@acme.example")
    assert response.url.startswith(f"{idp.sso_url}?SAMLRequest=")
    fields = {
        k: html.unescape(v) for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', response.text)
    }
    session.post(f"{idp.base}/login", data={**fields, "email": "bo@acme.example"}, timeout=10)
    response = post_assertion(session, dict(idp.last_response))
    assert response.url == f"{base}/employee/{sub.pk}/", response.url
    assert not User.objects.filter(email="bo@acme.example").exists()  # an employee is never a portal user
