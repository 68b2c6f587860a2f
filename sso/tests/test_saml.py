"""Single sign-on through SAML 2.0 against a REAL identity provider (pysaml2's IdP, sso.tests.saml_idp): the
portal's AuthnRequest on the HTTP-Redirect binding, the IdP's signed assertion back on the HTTP-POST binding,
checked by allauth's SAML provider (python3-saml). Not a mock of allauth."""

import base64
import html
import re
from collections.abc import Iterator

import pytest
import requests
from django.test import Client

from accounts.middleware import MFA_SESSION_FLAG
from accounts.models import User
from audit.actor import Actor
from companies.models import Company, Membership
from sso import actions
from sso.dns import FakeResolver
from sso.models import SamlAssertionSeen, SsoConfiguration
from sso.tests.saml_idp import HAS_XMLSEC1, SamlIdentityProvider
from sso.tests.test_sso import PASSWORD, admin_of, fake_dns, free_port  # noqa: F401 (fake_dns: a fixture)

needs_xmlsec1 = pytest.mark.skipif(not HAS_XMLSEC1, reason="pysaml2's IdP signs with xmlsec1 (apt install xmlsec1)")


def make_saml_company(
    idp: SamlIdentityProvider | None = None, *, required: bool = True, verified: bool = True
) -> Company:
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    from sso.tests.saml_idp import key_pair

    if idp is None:
        import tempfile
        from pathlib import Path

        certificate = key_pair(Path(tempfile.mkdtemp()), "idp")[1].read_text()
        entity_id, sso_url = "https://idp.acme.example/saml", "https://idp.acme.example/sso"
    else:
        certificate, entity_id, sso_url = idp.certificate_pem, idp.entity_id, idp.sso_url
    actions.configure(
        company,
        protocol=SsoConfiguration.Protocol.SAML,
        saml=actions.SamlIdp(entity_id=entity_id, sso_url=sso_url, certificate=certificate),
        required=required,
        by=Actor.system("test"),
    )
    claimed = actions.claim_domain(company, "acme.example", by=Actor.system("test"))
    if verified:
        FakeResolver.records["acme.example"] = [claimed.txt_record]
        assert actions.check_domain(claimed, by=Actor.system("test"))
    return company


@pytest.fixture
def saml_idp(live_server: object) -> Iterator[tuple[str, Company, SamlIdentityProvider]]:
    """A company whose identity provider is pysaml2's IdP on a free port, trusting the portal's SP metadata."""
    idp = SamlIdentityProvider(free_port())
    company = make_saml_company(idp)
    base = live_server.url  # type: ignore[attr-defined]
    metadata = requests.get(f"{base}/accounts/saml/company-{company.pk}/metadata/", timeout=10)
    metadata.raise_for_status()
    idp.start(metadata.text)
    try:
        yield base, company, idp
    finally:
        idp.stop()


def sign_in(base: str, email: str, session: requests.Session | None = None) -> tuple[requests.Session, str]:
    """From the portal's sign-in page to the IdP's form; returns the session and the IdP page's URL."""
    session = session or requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "login": email, "password": ""},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.text)
    assert refresh, response.text[:500]
    return session, html.unescape(refresh.group(1))


def sign_in_at_idp(session: requests.Session, idp: SamlIdentityProvider, idp_url: str, email: str) -> dict[str, str]:
    """The IdP's own sign-in form, filled in; returns what its auto-submitting form would post to the portal."""
    form_page = session.get(idp_url, timeout=10)
    assert "Acme identity provider" in form_page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_page.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    session.post(f"{idp.base}/login", data={**fields, "email": email, "password": "x"}, timeout=10)
    return dict(idp.last_response)


def answer_at_idp(session: requests.Session, idp: SamlIdentityProvider, idp_url: str, email: str) -> requests.Response:
    return post_assertion(session, sign_in_at_idp(session, idp, idp_url, email))


def post_assertion(session: requests.Session, answer: dict[str, str]) -> requests.Response:
    return session.post(
        answer["url"],
        data={"SAMLResponse": answer["SAMLResponse"], "RelayState": answer.get("RelayState", "")},
        timeout=10,
    )


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_an_admin_signs_in_through_the_company_saml_idp(saml_idp: tuple[str, Company, SamlIdentityProvider]) -> None:
    base, company, idp = saml_idp
    admin_of(company)
    session, idp_url = sign_in(base, "anna@acme.example")
    # The portal sent an AuthnRequest to the company's IdP on the HTTP-Redirect binding.
    assert idp_url.startswith(f"{idp.sso_url}?SAMLRequest=")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    assert response.status_code == 200, response.text[:1000]
    assert response.url == f"{base}/"
    assert "/accounts/login/" not in session.get(f"{base}/", timeout=10).url
    from allauth.socialaccount.models import SocialAccount

    linked = SocialAccount.objects.get(provider=f"company-{company.pk}-saml")
    assert linked.user.email == "anna@acme.example"


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_an_invited_admin_is_created_just_in_time_by_the_first_saml_sign_in(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from companies.models import Invitation

    base, company, idp = saml_idp
    Invitation.all_companies.create(
        company=company,
        email="new.admin@acme.example",
        first_name="Ny",
        access=Membership.Access.READ_ONLY,
        areas=["subscriptions"],
        token_hash="y" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )
    session, idp_url = sign_in(base, "new.admin@acme.example")
    response = answer_at_idp(session, idp, idp_url, "new.admin@acme.example")
    assert response.url == f"{base}/"
    user = User.objects.get(email="new.admin@acme.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, company=company).access == Membership.Access.READ_ONLY


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_an_assertion_signed_with_another_key_is_refused(saml_idp: tuple[str, Company, SamlIdentityProvider]) -> None:
    base, company, idp = saml_idp
    admin_of(company)
    idp.sign_with_other_key = True
    session, idp_url = sign_in(base, "anna@acme.example")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    assert "/accounts/login/" in session.get(f"{base}/", timeout=10).url
    assert response.url != f"{base}/"
    assert not SamlAssertionSeen.objects.exists()


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_a_tampered_assertion_is_refused(saml_idp: tuple[str, Company, SamlIdentityProvider]) -> None:
    base, company, idp = saml_idp
    admin_of(company)
    admin_of(company, "boss@acme.example")
    session, idp_url = sign_in(base, "anna@acme.example")
    answer = sign_in_at_idp(session, idp, idp_url, "anna@acme.example")
    # Someone on the way swaps the signed e-mail address for another admin's.
    xml = base64.b64decode(answer["SAMLResponse"]).decode()
    answer["SAMLResponse"] = base64.b64encode(xml.replace("anna@acme.example", "boss@acme.example").encode()).decode()
    post_assertion(session, answer)
    assert "/accounts/login/" in session.get(f"{base}/", timeout=10).url


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_an_assertion_for_another_audience_is_refused(saml_idp: tuple[str, Company, SamlIdentityProvider]) -> None:
    base, company, idp = saml_idp
    admin_of(company)
    idp.audience = "https://another-service.example/saml/metadata"
    session, idp_url = sign_in(base, "anna@acme.example")
    answer_at_idp(session, idp, idp_url, "anna@acme.example")
    xml = base64.b64decode(idp.last_response["SAMLResponse"]).decode()
    assert "https://another-service.example/saml/metadata" in xml  # the IdP did sign it for the other service
    assert "/accounts/login/" in session.get(f"{base}/", timeout=10).url


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_a_replayed_assertion_is_refused(saml_idp: tuple[str, Company, SamlIdentityProvider]) -> None:
    base, company, idp = saml_idp
    admin_of(company)
    session, idp_url = sign_in(base, "anna@acme.example")
    assert answer_at_idp(session, idp, idp_url, "anna@acme.example").url == f"{base}/"
    captured = dict(idp.last_response)
    # Someone who captured the POST replays it: in a browser of their own, and in one that started a sign-in.
    thief = requests.Session()
    response = post_assertion(thief, captured)
    assert response.status_code == 403
    assert "already used" in response.text
    assert "/accounts/login/" in thief.get(f"{base}/", timeout=10).url
    thief, _url = sign_in(base, "anna@acme.example", thief)
    assert post_assertion(thief, captured).status_code == 403
    assert "/accounts/login/" in thief.get(f"{base}/", timeout=10).url


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_the_idp_mfa_counts_for_a_company_that_requires_two_factor(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    base, company, idp = saml_idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    SsoConfiguration.objects.filter(company=company).update(trust_idp_mfa=True)
    admin_of(company)
    idp.mfa = True
    session, idp_url = sign_in(base, "anna@acme.example")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    # Straight to the overview: no TOTP set-up or code asked on top of the IdP's multi-factor sign-in.
    assert response.url == f"{base}/"
    assert session.get(f"{base}/", timeout=10).url == f"{base}/"


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_the_idp_mfa_is_not_trusted_unless_the_company_says_so(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    base, company, idp = saml_idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    assert not SsoConfiguration.objects.get(company=company).trust_idp_mfa  # the default
    admin_of(company)
    idp.mfa = True  # the assertion says REFEDS MFA, but the company has not chosen to trust it
    session, idp_url = sign_in(base, "anna@acme.example")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    assert response.url.startswith(f"{base}/accounts/2fa/totp/activate/")


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_only_the_configured_mfa_classes_count_when_the_company_lists_them(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    base, company, idp = saml_idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    # This IdP's multi-factor class is its own; the REFEDS one it sends is not on the company's list.
    SsoConfiguration.objects.filter(company=company).update(trust_idp_mfa=True, mfa_contexts="urn:acme:loa:2")
    admin_of(company)
    idp.mfa = True
    session, idp_url = sign_in(base, "anna@acme.example")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    assert response.url.startswith(f"{base}/accounts/2fa/totp/activate/")


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_without_idp_mfa_the_portal_asks_for_its_own_second_factor(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    base, company, idp = saml_idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    admin_of(company)
    idp.mfa = False
    session, idp_url = sign_in(base, "anna@acme.example")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    # Signed in, but the company requires two-factor: the portal's own TOTP set-up comes first, without a
    # password to confirm (the IdP sign-in was just now).
    assert response.url.startswith(f"{base}/accounts/2fa/totp/activate/")
    assert session.get(f"{base}/", timeout=10).url.startswith(f"{base}/accounts/2fa/totp/activate/")


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_without_idp_mfa_an_admin_with_totp_is_asked_for_the_code(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    base, company, idp = saml_idp
    SsoConfiguration.objects.filter(company=company).update(trust_idp_mfa=True)
    user = admin_of(company)
    TOTP.activate(user, generate_totp_secret())
    session, idp_url = sign_in(base, "anna@acme.example")
    response = answer_at_idp(session, idp, idp_url, "anna@acme.example")
    assert "/accounts/2fa/authenticate/" in response.url
    # With the IdP's MFA the code is not asked.
    idp.mfa = True
    session, idp_url = sign_in(base, "anna@acme.example")
    assert answer_at_idp(session, idp, idp_url, "anna@acme.example").url == f"{base}/"


@pytest.mark.django_db
def test_an_unverified_domain_is_not_sent_to_the_saml_idp() -> None:
    company = make_saml_company(required=True, verified=False)
    admin_of(company)
    response = Client().post("/accounts/login/", {"login": "anna@acme.example", "password": PASSWORD})
    # The password sign-in as before: the domain is not the company's until the TXT record is seen.
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_sso_required_blocks_password_and_reset_for_a_saml_company() -> None:
    company = make_saml_company(required=True, verified=True)
    admin_of(company)
    from sso.forms import SsoLoginForm

    form = SsoLoginForm(data={"login": "anna@acme.example", "password": PASSWORD})
    assert not form.is_valid()
    assert "requires sign-in through its own identity provider" in str(form.non_field_errors())
    reset = Client().post("/accounts/password/reset/", {"email": "anna@acme.example"})
    assert "there is no password to reset here" in reset.content.decode()
    # The sign-in page sends the address to the IdP instead, with an AuthnRequest.
    page = Client().post("/accounts/login/", {"login": "anna@acme.example"}).content.decode()
    assert "https://idp.acme.example/sso?SAMLRequest=" in page


@pytest.mark.django_db
def test_the_main_admin_reads_the_saml_set_up() -> None:
    company = make_saml_company(required=True, verified=True)
    main = admin_of(company, "main@acme.example")
    Membership.objects.filter(user=main).update(is_main_admin=True)
    c = Client()
    c.force_login(main)
    page = c.get("/sso/").content.decode()
    assert "SAML 2.0" in page
    assert f"/accounts/saml/company-{company.pk}/acs/" in page
    assert f"/accounts/saml/company-{company.pk}/metadata/" in page


@pytest.mark.django_db
def test_the_sp_metadata_names_the_acs_and_idp_initiated_answers_are_refused() -> None:
    company = make_saml_company()
    metadata = Client().get(f"/accounts/saml/company-{company.pk}/metadata/")
    assert metadata.status_code == 200
    assert f"/accounts/saml/company-{company.pk}/acs/" in metadata.content.decode()
    # Another company's slug, or an OpenID Connect company's, has no SAML endpoints.
    assert Client().get(f"/accounts/saml/company-{company.pk + 1}/metadata/").status_code == 404


def test_mfa_markers_of_openid_connect_and_saml() -> None:
    from sso import mfa

    assert mfa.oidc_asserts_mfa({"id_token": {"amr": ["pwd", "mfa"]}})  # Entra ID
    assert mfa.oidc_asserts_mfa({"id_token": {"amr": ["pwd", "otp"]}})
    assert mfa.oidc_asserts_mfa({"id_token": {"acr": "https://data.gov.dk/concept/core/nsis/loa/Substantial"}})
    assert not mfa.oidc_asserts_mfa({"id_token": {"amr": ["pwd"]}})
    assert not mfa.oidc_asserts_mfa({"id_token": {"acr": "1"}, "userinfo": {}})
    assert not mfa.oidc_asserts_mfa({})
    # The userinfo answer is not signed for this sign-in: its amr or acr never counts.
    assert not mfa.oidc_asserts_mfa({"id_token": {"amr": ["pwd"]}, "userinfo": {"amr": ["pwd", "mfa"]}})
    assert not mfa.oidc_asserts_mfa({"userinfo": {"acr": "https://refeds.org/profile/mfa"}})
    # A configured acr value replaces the well-known ones.
    assert mfa.oidc_asserts_mfa({"id_token": {"acr": "urn:acme:loa:2"}}, {"urn:acme:loa:2"})
    assert not mfa.oidc_asserts_mfa({"id_token": {"acr": "https://refeds.org/profile/mfa"}}, {"urn:acme:loa:2"})
    assert mfa.contexts_are_mfa(["http://schemas.microsoft.com/claims/multipleauthn"])
    assert not mfa.contexts_are_mfa(["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"])


def test_the_session_flag_is_the_middlewares() -> None:
    from sso import signals

    assert signals.MFA_SESSION_FLAG == MFA_SESSION_FLAG


@pytest.mark.django_db
@pytest.mark.parametrize(
    "saml_response",
    [
        "",
        "garbage",
        base64.b64encode(b"<not-saml/>").decode(),
        base64.b64encode(b"\x00\xff" * 50).decode(),
        "x" * 10_000,
    ],
)
def test_hostile_posts_to_the_acs_are_refused_without_a_server_error(saml_response: str) -> None:
    company = make_saml_company()
    c = Client()
    response = c.post(f"/accounts/saml/company-{company.pk}/acs/", {"SAMLResponse": saml_response}, follow=True)
    assert 400 <= response.status_code < 500
    assert not c.session.get("_auth_user_id")
    # An OpenID Connect company, or none, has no SAML endpoints at all.
    assert c.post("/accounts/saml/company-999/acs/", {"SAMLResponse": saml_response}, follow=True).status_code == 404
    assert c.get("/accounts/saml/company-999/login/").status_code == 404


@pytest.mark.django_db
def test_a_company_that_moved_to_saml_no_longer_answers_to_its_openid_connect_id() -> None:
    from sso import selectors

    company = make_saml_company()
    assert selectors.configuration_for_provider(f"company-{company.pk}-saml") is not None
    # Identities linked through its former OpenID Connect IdP (provider "company-<id>") are not taken for SAML ones.
    assert selectors.configuration_for_provider(f"company-{company.pk}") is None
    for nonsense in ("company-", "company-x-saml", f"company-{company.pk}-oidc", "saml", ""):
        assert selectors.configuration_for_provider(nonsense) is None


@needs_xmlsec1
@pytest.mark.django_db(transaction=True)
def test_an_assertion_answering_another_browsers_request_is_refused(
    saml_idp: tuple[str, Company, SamlIdentityProvider],
) -> None:
    """InResponseTo: an assertion never used, but answering the AuthnRequest of another browser, signs nobody in
    there, even in a browser that started a sign-in of its own."""
    base, company, idp = saml_idp
    admin_of(company)
    session, idp_url = sign_in(base, "anna@acme.example")
    captured = sign_in_at_idp(session, idp, idp_url, "anna@acme.example")
    thief, _url = sign_in(base, "anna@acme.example")
    response = post_assertion(thief, captured)
    assert response.status_code in (400, 403), response.status_code
    assert "/accounts/login/" in thief.get(f"{base}/", timeout=10).url
    assert not User.objects.filter(email="anna@acme.example", last_login__isnull=False).exists()


def test_a_presence_test_is_not_a_second_factor() -> None:
    """RFC 8176 "user" is a user-presence test (a click, a touch), not something the user has or is: a password
    and a presence test are one factor, and the portal asks for its own second factor."""
    from sso import mfa

    assert not mfa.amr_is_mfa(["pwd", "user"])
    assert not mfa.oidc_asserts_mfa({"id_token": {"amr": ["pwd", "user"]}})
    assert mfa.amr_is_mfa(["pwd", "hwk", "user"])
