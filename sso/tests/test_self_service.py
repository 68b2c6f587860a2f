"""A company's main admins set up single sign-on themselves (sso.views): the staff's form and actions, their own
company only, a test sign-in before "Require single sign-on", every change audited and e-mailed."""

import html
import re

import pytest
import requests
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from companies.models import Company, Membership
from sso.dns import FakeResolver
from sso.models import SsoConfiguration, SsoDomain
from sso.tests.test_sso import (  # noqa: F401 (fake_dns, idp: fixtures)
    PASSWORD,
    fake_dns,
    idp,
    make_company,
    needs_provider,
    submit_idp_forms,
)


def main_admin(company: Company, email: str = "main@acme.example") -> User:
    # English: the assertions read the English messages (a new user's portal is Danish by default).
    user = User.objects.create_user(email, PASSWORD, language="en")
    Membership.objects.create(user=user, company=company, areas=["subscriptions"], is_main_admin=True)
    return user


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


OIDC_FORM = {"protocol": "oidc", "client_id": "portal", "client_secret": "s3cret-of-the-idp"}


@pytest.mark.django_db
def test_a_main_admin_adds_a_domain_checks_it_and_the_other_main_admins_are_told() -> None:
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    me, other = main_admin(company), main_admin(company, "other@acme.example")
    c = client_for(me)
    mail.outbox.clear()
    response = c.post("/sso/domains/", {"domain": "Acme.Example."})
    assert response.status_code == 302
    claimed = SsoDomain.objects.get(company=company)
    assert claimed.domain == "acme.example"
    page = c.get("/sso/").content.decode()
    assert claimed.txt_record in page
    # Not published yet: Check now says so, nothing verified.
    c.post("/sso/domains/check/", {"domain": claimed.pk})
    claimed.refresh_from_db()
    assert claimed.checked_at is not None and not claimed.is_verified
    FakeResolver.records["acme.example"] = [claimed.txt_record]
    c.post("/sso/domains/check/", {"domain": claimed.pk})
    claimed.refresh_from_db()
    assert claimed.is_verified
    assert set(AuditEvent.objects.filter(company=company).values_list("action", flat=True)) >= {
        "sso.domain_claimed",
        "sso.domain_verified",
    }
    # The other main admin heard of both (queued in the outbox); the one who did it not.
    from outbox.models import OutboxMessage

    recipients = [m.to for m in OutboxMessage.objects.order_by("pk")]
    assert recipients == [[other.email], [other.email]]
    # Bad input: a clear message, nothing added.
    for bad in ("", "not a domain", "acme.example", "-x.example", "localhost"):
        response = c.post("/sso/domains/", {"domain": bad})
        assert response.status_code == 200
        assert 'class="invalid-feedback' in response.content.decode() or "errorlist" in response.content.decode()
    assert SsoDomain.all_companies.count() == 1


@pytest.mark.django_db
def test_another_companys_domain_cannot_be_checked_nor_claimed_again() -> None:
    acme = Company.objects.create(name="Acme Danmark A/S", cvr="87654325")
    other = make_company(required=False, verified=False)  # claims acme.example
    foreign = SsoDomain.all_companies.get(company=other)
    c = client_for(main_admin(acme, "main@acme.dk"))
    assert c.post("/sso/domains/check/", {"domain": foreign.pk}).status_code == 404
    response = c.post("/sso/domains/", {"domain": "acme.example"})
    assert "already been added" in response.content.decode()
    assert not SsoDomain.all_companies.filter(company=acme).exists()


@pytest.mark.django_db
def test_admins_who_are_not_main_admins_get_nothing_and_change_nothing() -> None:
    company = make_company(required=False, verified=False)
    user = User.objects.create_user("plain@acme.example", PASSWORD)
    Membership.objects.create(user=user, company=company, areas=["subscriptions"])
    c = client_for(user)
    claimed = SsoDomain.all_companies.get(company=company)
    before = SsoConfiguration.all_companies.get(company=company)
    assert c.get("/sso/").status_code == 403
    assert c.get("/sso/settings/").status_code == 403
    assert c.post("/sso/settings/", {**OIDC_FORM, "server_url": "https://evil.example"}).status_code == 403
    assert c.post("/sso/domains/", {"domain": "evil.example"}).status_code == 403
    assert c.post("/sso/domains/check/", {"domain": claimed.pk}).status_code == 403
    assert c.post("/sso/required/", {"required": "on"}).status_code == 403
    assert c.post("/sso/test/").status_code == 403
    after = SsoConfiguration.all_companies.get(company=company)
    assert (after.server_url, after.required, after.updated_at) == (before.server_url, False, before.updated_at)
    assert SsoDomain.all_companies.count() == 1


@pytest.mark.django_db
def test_the_discovery_url_must_be_public_https(settings: object) -> None:
    settings.SSO_ALLOW_LOCAL = False  # type: ignore[attr-defined]  # production
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    c = client_for(main_admin(company))
    cases = {
        "http://127.0.0.1:8080": "must start with https://",
        "https://127.0.0.1:8443": "private, loopback or reserved",
        "https://10.1.2.3": "private, loopback or reserved",
        "https://169.254.169.254": "private, loopback or reserved",
        "https://user:pw@login.example.com": "without a user name or password",
    }
    for url, message in cases.items():
        response = c.post("/sso/settings/", {**OIDC_FORM, "server_url": url})
        assert response.status_code == 200
        assert message in html.unescape(response.content.decode()), url
    assert not SsoConfiguration.all_companies.exists()


@pytest.mark.django_db
def test_an_unreachable_issuer_is_refused_with_a_message() -> None:
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    c = client_for(main_admin(company))
    response = c.post("/sso/settings/", {**OIDC_FORM, "server_url": "http://127.0.0.1:1"})
    assert "No OpenID Connect discovery document" in response.content.decode()
    assert not SsoConfiguration.all_companies.exists()


@pytest.mark.django_db
def test_require_sso_waits_for_a_verified_domain_and_the_admins_own_test_sign_in() -> None:
    company = make_company(required=False, verified=False)
    me = main_admin(company)
    c = client_for(me)
    config = SsoConfiguration.all_companies.get(company=company)
    c.post("/sso/required/", {"required": "on"})
    config.refresh_from_db()
    assert not config.required  # no verified domain
    claimed = SsoDomain.all_companies.get(company=company)
    FakeResolver.records["acme.example"] = [claimed.txt_record]
    c.post("/sso/domains/check/", {"domain": claimed.pk})
    response = c.post("/sso/required/", {"required": "on"}, follow=True)
    assert "Sign in through your identity provider once yourself first" in response.content.decode()
    config.refresh_from_db()
    assert not config.required  # nobody tested it
    # Another main admin's test does not count for me.
    from sso import actions

    actions.record_test_sign_in(config, main_admin(company, "other@acme.example"))
    c.post("/sso/required/", {"required": "on"})
    config.refresh_from_db()
    assert not config.required
    actions.record_test_sign_in(config, me)
    c.post("/sso/required/", {"required": "on"})
    config.refresh_from_db()
    assert config.required
    assert AuditEvent.objects.filter(company=company, action="sso.required_changed").count() == 1
    # While required, the identity provider cannot be changed (a wrong one would lock everyone out).
    response = c.post("/sso/settings/", {**OIDC_FORM, "server_url": "http://127.0.0.1:2"})
    assert response.status_code == 200
    config.refresh_from_db()
    assert config.server_url == "http://127.0.0.1:1"
    # Turning it off is always possible.
    c.post("/sso/required/", {"required": "off"})
    config.refresh_from_db()
    assert not config.required


@pytest.mark.django_db
def test_a_main_admin_sets_up_saml_from_pasted_metadata() -> None:
    from sso.tests.saml_idp import SamlIdentityProvider
    from sso.tests.test_admin import idp_metadata

    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    c = client_for(main_admin(company))
    saml_idp = SamlIdentityProvider(1)  # not started: only its certificate, in metadata as an IdP publishes it
    response = c.post(
        "/sso/settings/",
        {"protocol": "saml", "saml_metadata_xml": idp_metadata(saml_idp.certificate_pem), "trust_idp_mfa": "on"},
    )
    saml_idp.stop()
    assert response.status_code == 302, response.content.decode()[-3000:]
    config = SsoConfiguration.all_companies.get(company=company)
    assert config.is_saml and config.saml_entity_id and config.trust_idp_mfa
    assert not config.required


def _signed_in_session(base: str, user: User) -> requests.Session:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, c.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def _post(session: requests.Session, base: str, path: str, data: dict[str, str]) -> requests.Response:
    page = session.get(f"{base}/sso/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:300]
    return session.post(
        f"{base}{path}",
        data={"csrfmiddlewaretoken": token.group(1), **data},
        headers={"Referer": f"{base}/sso/"},
        timeout=10,
    )


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_a_main_admin_sets_up_oidc_tests_the_sign_in_then_requires_it(idp: tuple[str, Company]) -> None:  # noqa: F811
    base, company = idp
    issuer = SsoConfiguration.all_companies.get(company=company).server_url
    # The company's set-up is the admin's own: start from none (the domain stays verified).
    SsoConfiguration.all_companies.filter(company=company).delete()
    me = main_admin(company, "anna@acme.example")
    other = main_admin(company, "bo@acme.example")
    session = _signed_in_session(base, me)
    mail.outbox.clear()
    response = _post(session, base, "/sso/settings/", {**OIDC_FORM, "server_url": issuer, "trust_idp_mfa": "on"})
    assert response.url == f"{base}/sso/", response.text[-2000:]
    config = SsoConfiguration.all_companies.get(company=company)
    assert config.trust_idp_mfa and "s3cret" not in config.client_secret_encrypted
    assert "s3cret" not in session.get(f"{base}/sso/settings/", timeout=10).text  # never shown back
    assert [m.to for m in mail.outbox] == [[other.email]]
    # Require is refused before the test sign-in.
    _post(session, base, "/sso/required/", {"required": "on"})
    config.refresh_from_db()
    assert not config.required
    # Test sign-in: through the IdP and back to the SSO page, signed in.
    response = _post(session, base, "/sso/test/", {})
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.text)
    assert refresh
    response = session.get(html.unescape(refresh.group(1)), timeout=10)
    response = submit_idp_forms(session, response, "anna@acme.example")
    assert response.url == f"{base}/sso/", response.text[:500]
    config.refresh_from_db()
    assert config.tested_by == me and config.tested_at is not None
    _post(session, base, "/sso/required/", {"required": "on"})
    config.refresh_from_db()
    assert config.required
    actions = list(AuditEvent.objects.filter(company=company).values_list("action", flat=True))
    assert {"sso.configured", "sso.test_signed_in", "sso.required_changed"} <= set(actions)


@pytest.mark.django_db
def test_a_main_admin_removes_a_domain_audited_and_the_other_main_admins_are_told() -> None:
    from outbox.models import OutboxMessage
    from sso.selectors import configuration_for_email

    company = make_company(required=False, verified=True)
    me = main_admin(company)
    other = User.objects.create_user("andre@acme.example", PASSWORD, language="da")
    Membership.objects.create(user=other, company=company, areas=["subscriptions"], is_main_admin=True)
    claimed = SsoDomain.all_companies.get(company=company)
    assert configuration_for_email("someone@acme.example") is not None
    c = client_for(me)
    assert 'data-testid="sso-remove-domain"' in c.get("/sso/").content.decode()
    OutboxMessage.objects.all().delete()
    response = c.post("/sso/domains/remove/", {"domain": claimed.pk}, follow=True)
    assert "acme.example is removed." in response.content.decode()
    assert not SsoDomain.all_companies.filter(company=company).exists()
    assert configuration_for_email("someone@acme.example") is None  # single sign-on no longer applies to it
    event = AuditEvent.objects.get(company=company, action="sso.domain_removed")
    assert event.details == {"domain": "acme.example", "was_verified": True} and event.actor_id == me.pk
    # The other main admin is told, in Danish; the one who did it not.
    [message] = OutboxMessage.objects.all()
    assert message.to == [other.email]
    assert "har fjernet domænet acme.example" in message.body
    # The domain can be claimed again (it was a typo, or it is back).
    assert c.post("/sso/domains/", {"domain": "acme.example"}).status_code == 302


@pytest.mark.django_db
def test_the_last_verified_domain_stays_while_single_sign_on_is_required() -> None:
    company = make_company(required=True, verified=True)
    c = client_for(main_admin(company))
    claimed = SsoDomain.all_companies.get(company=company)
    response = c.post("/sso/domains/remove/", {"domain": claimed.pk}, follow=True)
    assert "is the last verified domain while single sign-on is required" in html.unescape(response.content.decode())
    assert SsoDomain.all_companies.filter(pk=claimed.pk).exists()
    assert not AuditEvent.objects.filter(company=company, action="sso.domain_removed").exists()
    # An unverified one may go at any time; the verified one once "Require" is off.
    spare = SsoDomain.objects.create(company=company, domain="acme-typo.example")
    c.post("/sso/domains/remove/", {"domain": spare.pk})
    assert not SsoDomain.all_companies.filter(pk=spare.pk).exists()
    SsoConfiguration.all_companies.filter(company=company).update(required=False)
    c.post("/sso/domains/remove/", {"domain": claimed.pk})
    assert not SsoDomain.all_companies.filter(pk=claimed.pk).exists()


@pytest.mark.django_db
def test_removing_a_domain_takes_only_the_companys_own_and_needs_a_main_admin() -> None:
    acme = Company.objects.create(name="Acme Danmark A/S", cvr="87654325")
    other = make_company(required=False, verified=False)
    foreign = SsoDomain.all_companies.get(company=other)
    c = client_for(main_admin(acme, "main@acme.dk"))
    assert c.post("/sso/domains/remove/", {"domain": foreign.pk}).status_code == 404
    for bad in ("", "x", "-1", "1e3"):
        response = c.post("/sso/domains/remove/", {"domain": bad}, follow=True)
        assert response.status_code == 200 and "Choose a domain to remove." in response.content.decode()
    plain = User.objects.create_user("plain@acme.example", PASSWORD)
    Membership.objects.create(user=plain, company=other, areas=["subscriptions"])
    assert client_for(plain).post("/sso/domains/remove/", {"domain": foreign.pk}).status_code == 403
    assert client_for(plain).get("/sso/domains/remove/").status_code in (403, 405)
    assert SsoDomain.all_companies.filter(pk=foreign.pk).exists()
