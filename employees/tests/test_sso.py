"""An employee of a company that requires single sign-on signs in through its identity provider (a REAL OpenID
Connect provider, as in sso/tests) and lands on their own subscription, never as a portal user."""

import html
import re

import pytest
import requests

from accounts.models import User
from audit.models import AuditEvent
from companies.models import Company
from sso.tests.test_sso import fake_dns, idp, needs_provider, submit_idp_forms  # noqa: F401  (fixtures)
from subscriptions.tests.factories import SubscriptionFactory


def start_employee_sign_in(base: str, email: str) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    page = session.get(f"{base}/employee/sign-in/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    response = session.post(
        f"{base}/employee/sign-in/",
        data={"csrfmiddlewaretoken": token.group(1), "email": email},
        headers={"Referer": f"{base}/employee/sign-in/"},
        timeout=10,
    )
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.text)
    assert refresh, "an SSO domain goes to the company's identity provider"
    return session, session.get(html.unescape(refresh.group(1)), timeout=10)


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_an_employee_signs_in_through_the_company_idp(idp: tuple[str, Company]) -> None:  # noqa: F811
    base, company = idp
    sub = SubscriptionFactory(company=company, email="bo@acme.example", user_name="Bo")
    session, response = start_employee_sign_in(base, "bo@acme.example")
    assert "/interaction/" in response.url
    response = submit_idp_forms(session, response, "bo@acme.example")
    assert response.url == f"{base}/employee/{sub.pk}/", response.url
    assert "Bo" in response.text
    assert not User.objects.filter(email="bo@acme.example").exists()  # an employee is never a portal user
    assert session.get(f"{base}/subscriptions/", timeout=10).url.startswith(f"{base}/accounts/login/")
    event = AuditEvent.objects.unscoped().get(action="employee.signed_in")
    assert event.details == {"method": "sso"} and event.actor_label == "bo@acme.example"


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_an_idp_user_without_a_subscription_is_refused(idp: tuple[str, Company]) -> None:  # noqa: F811
    base, _company = idp
    session, response = start_employee_sign_in(base, "nobody@acme.example")
    response = submit_idp_forms(session, response, "nobody@acme.example")
    assert response.status_code == 403
    assert "no subscription is registered to nobody@acme.example" in response.text
    assert session.get(f"{base}/employee/", timeout=10).url == f"{base}/employee/sign-in/"
