"""Signing in as an employee: a one-time link that mail scanners cannot spend, and no hint whether an address
is known."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from employees.models import SignInLink
from employees.tests.conftest import link_in, sent
from sso.models import SsoConfiguration, SsoDomain
from subscriptions import crypto

pytestmark = pytest.mark.django_db


def _ask(client, email, capture=None):
    return client.post("/employee/sign-in/", {"email": email})


def _path(message):
    return "/" + link_in(message).split("://", 1)[1].split("/", 1)[1]


def test_it_mails_a_link_to_an_address_on_a_subscription(client, anna, django_capture_on_commit_callbacks):
    response = _ask(client, "Anna@Alfa.dk", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert [m.to for m in sent()] == [["anna@alfa.dk"]]
    assert "15 minutes" in sent()[0].body
    link = SignInLink.objects.get()
    assert link.email == "anna@alfa.dk"
    assert link.token_hash not in sent()[0].body  # only the hash is stored


def test_the_page_is_the_same_for_an_unknown_address(client, anna):
    known = _ask(client, "anna@alfa.dk")
    unknown = _ask(client, "nobody@alfa.dk")
    assert known.status_code == unknown.status_code == 200

    def main(response, email):
        text = response.content.decode()
        return text[text.index("<main") : text.index("</main>")].replace(email, "X")

    assert main(known, "anna@alfa.dk") == main(unknown, "nobody@alfa.dk")
    assert "If nobody@alfa.dk is registered on a subscription" in unknown.content.decode()
    assert [m.to for m in sent()] == [["anna@alfa.dk"]]


def test_a_terminated_subscription_gets_no_link(client, anna, django_capture_on_commit_callbacks):
    anna.status = "terminated"
    anna.save()
    _ask(client, "anna@alfa.dk", django_capture_on_commit_callbacks)
    assert sent() == []


def test_opening_the_link_spends_nothing_and_the_post_signs_in(client, anna, django_capture_on_commit_callbacks):
    _ask(client, "anna@alfa.dk", django_capture_on_commit_callbacks)
    path = _path(sent()[0])
    for _ in range(3):  # a mail scanner following the link
        page = client.get(path)
        assert page.status_code == 200
        assert b'data-testid="employee-confirm"' in page.content
    assert client.get("/employee/").status_code == 302  # not signed in by a GET
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/employee/"
    assert client.get(f"/employee/{anna.pk}/").status_code == 200
    event = AuditEvent.objects.unscoped().get(action="employee.signed_in")
    assert event.actor is None and event.actor_label == "anna@alfa.dk" and event.company_id == anna.company_id
    # The link works once.
    assert client.post(path).status_code == 410
    assert b"already been used" in client.get(path).content


def test_an_expired_link_is_refused(client, anna, django_capture_on_commit_callbacks):
    _ask(client, "anna@alfa.dk", django_capture_on_commit_callbacks)
    SignInLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    path = _path(sent()[0])
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert client.get("/employee/").status_code == 302


def test_a_made_up_token_is_404(client):
    assert client.get("/employee/sign-in/not-a-token/").status_code == 404
    assert client.post("/employee/sign-in/not-a-token/").status_code == 404


def test_links_are_rate_limited_per_address(client, anna, django_capture_on_commit_callbacks):
    for _ in range(5):
        response = _ask(client, "anna@alfa.dk", django_capture_on_commit_callbacks)
        assert response.status_code == 200
    assert len(sent()) == 3
    assert SignInLink.objects.count() == 3


def test_a_bad_address_is_a_form_error(client):
    response = client.post("/employee/sign-in/", {"email": "not an address"})
    assert response.status_code == 400


def test_signing_in_as_an_employee_signs_the_admin_out(login, personas, anna, django_capture_on_commit_callbacks):
    client = login(personas.admin_a)
    assert client.get("/").status_code == 200
    _ask(client, "anna@alfa.dk", django_capture_on_commit_callbacks)
    client.post(_path(sent()[0]))
    assert client.get("/").status_code == 302  # the admin session is gone
    assert client.get(f"/employee/{anna.pk}/").status_code == 200


def test_sign_out(employee_client, anna):
    client = employee_client("anna@alfa.dk")
    assert client.post("/employee/sign-out/").status_code == 302
    assert client.get(f"/employee/{anna.pk}/").status_code == 302


def test_a_domain_that_requires_sso_goes_to_the_identity_provider(client, anna, django_capture_on_commit_callbacks):
    SsoConfiguration.objects.create(
        company=anna.company,
        server_url="https://idp.alfa.example",
        client_id="portal",
        client_secret_encrypted=crypto.encrypt("s3cret"),
        required=True,
    )
    SsoDomain.objects.create(company=anna.company, domain="alfa.dk", verified_at=timezone.now())
    from unittest import mock

    class Provider:
        def redirect(self, request, process, next_url=None, auth_params=None):
            assert auth_params == {"login_hint": "anna@alfa.dk"}
            return {"Location": "https://idp.alfa.example/authorize?x=1"}

    with mock.patch("employees.sso.get_adapter") as adapter:
        adapter.return_value.get_provider.return_value = Provider()
        response = _ask(client, "anna@alfa.dk", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert b"https://idp.alfa.example/authorize?x=1" in response.content
    assert sent() == []  # no link: the company requires its own sign-in
    pending = client.session["employees.sso_pending"]
    assert (pending["company"], pending["email"]) == (anna.company_id, "anna@alfa.dk")


def test_an_abandoned_employee_sso_attempt_does_not_capture_an_admins_sso_sign_in(rf, anna):
    """The marker is only honoured for the same address, within 10 minutes; otherwise the admin flow goes on."""
    import time

    from django.contrib.sessions.backends.db import SessionStore

    from employees.sso import on_identity_asserted
    from sso.events import IdentityAsserted

    for pending in (
        {"company": anna.company_id, "email": "anna@alfa.dk", "at": int(time.time())},
        {"company": anna.company_id, "email": "it-chef@alfa.dk", "at": int(time.time()) - 3600},
    ):
        request = rf.get("/")
        request.session = SessionStore()
        request.session["employees.sso_pending"] = pending
        on_identity_asserted(IdentityAsserted(request=request, company=anna.company, email="it-chef@alfa.dk"))
        assert "employees.sso_pending" not in request.session
        assert "employees.email" not in request.session


def test_an_employee_session_ends_after_8_hours(employee_client, anna):
    client = employee_client("anna@alfa.dk")
    session = client.session
    session["employees.signed_in_at"] -= 8 * 3600 + 1
    session.save()
    assert client.get(f"/employee/{anna.pk}/").status_code == 302
