"""Single sign-on against a REAL OpenID Connect provider (npm `oidc-provider`, run with node): the full
authorization-code flow, driven over HTTP from the portal's sign-in page to the IdP and back."""

import html
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.conf import settings

from accounts.models import User
from audit.actor import Actor
from companies.models import Company, Membership
from sso import actions
from sso.dns import FakeResolver
from sso.models import SsoConfiguration, SsoDomain

ROOT = Path(settings.BASE_DIR)
PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
HAS_PROVIDER = shutil.which("node") is not None and (ROOT / "node_modules" / "oidc-provider").exists()
needs_provider = pytest.mark.skipif(not HAS_PROVIDER, reason="node and npm oidc-provider (npm ci) are needed")

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fake_dns(settings: pytest.FixtureRequest) -> Iterator[type[FakeResolver]]:
    settings.SSO_TXT_RESOLVER = "sso.dns.FakeResolver"  # type: ignore[attr-defined]
    FakeResolver.records = {}
    yield FakeResolver
    FakeResolver.records = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_company(*, required: bool, verified: bool, server_url: str = "http://127.0.0.1:1") -> Company:
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    actions.configure(
        company,
        server_url=server_url,
        client_id="portal",
        client_secret="s3cret-of-the-idp",
        required=required,
        by=Actor.system("test"),
    )
    claimed = actions.claim_domain(company, "acme.example", by=Actor.system("test"))
    if verified:
        FakeResolver.records["acme.example"] = ["v=spf1 -all", claimed.txt_record]
        assert actions.check_domain(claimed, by=Actor.system("test"))
    return company


def admin_of(company: Company, email: str = "anna@acme.example") -> User:
    user = User.objects.create_user(email, PASSWORD)
    Membership.objects.create(user=user, company=company, areas=["subscriptions"])
    return user


@pytest.fixture
def idp(live_server: object) -> Iterator[tuple[str, Company]]:
    """A company whose IdP is a real oidc-provider on a free port (started after the company: the redirect
    URI names it)."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    company = make_company(required=True, verified=True, server_url=issuer)
    redirect_uri = f"{live_server.url}/accounts/oidc/company-{company.pk}/login/callback/"  # type: ignore[attr-defined]
    process = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT), str(port), "portal", "s3cret-of-the-idp", redirect_uri],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail("the OpenID Connect provider did not start")
        yield live_server.url, company  # type: ignore[attr-defined]
    finally:
        process.terminate()
        process.wait(timeout=5)


def submit_idp_forms(session: requests.Session, response: requests.Response, login: str) -> requests.Response:
    """The provider's own sign-in page, then its consent page: filled in like a user would."""
    for _ in range(4):
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', response.text)
        if not form or not response.url.startswith("http://127.0.0.1") or "/interaction/" not in response.url:
            return response
        fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text))
        if 'name="login"' in response.text:
            fields.update(login=login, password="anything")
        response = session.post(urljoin(response.url, form.group(1)), data=fields, timeout=10)
    return response


def start_sign_in(base: str, email: str, password: str = "") -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "login": email, "password": password},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    # An SSO address gets a page that moves on to the IdP by itself (a meta refresh: the CSP allows it).
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.text)
    if refresh:
        response = session.get(html.unescape(refresh.group(1)), timeout=10)
    return session, response


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_an_admin_of_a_verified_domain_signs_in_through_the_company_idp(idp: tuple[str, Company]) -> None:
    base, company = idp
    admin_of(company)
    session, response = start_sign_in(base, "anna@acme.example")
    # The sign-in page sent the browser to the company's IdP, which showed its own sign-in form.
    assert "/interaction/" in response.url and response.url.startswith(company_issuer(company))
    response = submit_idp_forms(session, response, "anna@acme.example")
    assert response.status_code == 200
    assert response.url == f"{base}/"
    overview = session.get(f"{base}/", timeout=10)
    assert "anna@acme.example" in overview.text or "Acme A/S" in overview.text
    assert "/accounts/login/" not in overview.url
    # Just-in-time: the admin's identity is now linked to the company's IdP.
    from allauth.socialaccount.models import SocialAccount

    assert SocialAccount.objects.get(provider=f"company-{company.pk}").user.email == "anna@acme.example"


def company_issuer(company: Company) -> str:
    return SsoConfiguration.all_companies.get(company=company).server_url


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_an_invited_admin_is_created_just_in_time_by_the_first_idp_sign_in(idp: tuple[str, Company]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from companies.models import Invitation

    base, company = idp
    Invitation.all_companies.create(
        company=company,
        email="new.admin@acme.example",
        first_name="Ny",
        access=Membership.Access.READ_ONLY,
        areas=["subscriptions"],
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )
    session, response = start_sign_in(base, "new.admin@acme.example")
    response = submit_idp_forms(session, response, "new.admin@acme.example")
    assert response.url == f"{base}/"
    user = User.objects.get(email="new.admin@acme.example")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, company=company)
    assert membership.access == Membership.Access.READ_ONLY and membership.areas == ["subscriptions"]
    assert Invitation.all_companies.get(email="new.admin@acme.example").accepted_at is not None
    assert "/accounts/login/" not in session.get(f"{base}/", timeout=10).url


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_someone_without_access_is_refused_after_the_idp_with_an_explanation(idp: tuple[str, Company]) -> None:
    base, _company = idp
    session, response = start_sign_in(base, "newcomer@acme.example")
    response = submit_idp_forms(session, response, "newcomer@acme.example")
    assert response.status_code == 403
    assert "has no access to Self-service yet" in response.text
    assert not User.objects.filter(email="newcomer@acme.example").exists()
    assert "/accounts/login/" in session.get(f"{base}/", timeout=10).url


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_an_idp_answer_for_another_domain_is_refused(idp: tuple[str, Company]) -> None:
    base, company = idp
    admin_of(company)
    admin_of(Company.objects.create(name="Other ApS", cvr="87654325"), "boss@other.example")
    session, response = start_sign_in(base, "anna@acme.example")
    # The company's IdP asserts an address of a domain the company never verified.
    response = submit_idp_forms(session, response, "boss@other.example")
    assert response.status_code == 403
    assert "domain it has verified" in response.text


@pytest.mark.django_db
def test_password_sign_in_is_refused_when_sso_is_required(client: object) -> None:
    company = make_company(required=True, verified=True)
    admin_of(company)
    from django.test import Client

    c = Client()
    # The form is posted with a password by a script, not through the page: still refused.
    from sso.forms import SsoLoginForm

    form = SsoLoginForm(data={"login": "anna@acme.example", "password": PASSWORD})
    assert not form.is_valid()
    assert "requires sign-in through its own identity provider" in str(form.non_field_errors())
    reset = c.post("/accounts/password/reset/", {"email": "anna@acme.example"})
    assert reset.status_code == 200
    assert "there is no password to reset here" in reset.content.decode()


@pytest.mark.django_db
def test_an_unverified_domain_keeps_the_password(client: object) -> None:
    company = make_company(required=True, verified=False)
    admin_of(company)
    from django.test import Client

    c = Client()
    response = c.post("/accounts/login/", {"login": "anna@acme.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not SsoDomain.all_companies.get(domain="acme.example").is_verified


@pytest.mark.django_db
def test_staff_of_a_verified_domain_keep_password_and_mfa() -> None:
    company = make_company(required=True, verified=True)
    User.objects.create_superuser("ops@acme.example", PASSWORD)
    from django.test import Client

    response = Client().post("/accounts/login/", {"login": "ops@acme.example", "password": PASSWORD})
    # Not sent to the IdP: signed in with the password, then the second factor is required.
    assert response.status_code == 302
    assert "127.0.0.1:1" not in response["Location"]
    assert company.pk


@pytest.mark.django_db
def test_the_client_secret_is_encrypted_at_rest_and_the_txt_record_must_match() -> None:
    company = make_company(required=False, verified=False)
    config = SsoConfiguration.all_companies.get(company=company)
    assert "s3cret" not in config.client_secret_encrypted
    from sso.adapters import social_app

    assert social_app(config).secret == "s3cret-of-the-idp"
    claimed = SsoDomain.all_companies.get(company=company)
    FakeResolver.records["acme.example"] = ["selfservice-verification=wrong"]
    assert not actions.check_domain(claimed, by=Actor.system("test"))
    assert claimed.checked_at is not None and claimed.verified_at is None


@pytest.mark.django_db
def test_no_page_links_or_signs_up_an_identity_by_hand(client: object) -> None:
    from django.test import Client

    c = Client()
    c.force_login(admin_of(make_company(required=False, verified=True)))
    assert c.get("/accounts/3rdparty/").status_code == 404
    assert c.get("/accounts/3rdparty/signup/").status_code == 404


@pytest.mark.django_db
def test_the_main_admin_reads_the_set_up_and_other_admins_do_not() -> None:
    from django.test import Client

    company = make_company(required=True, verified=False)
    main = admin_of(company, "main@acme.example")
    Membership.objects.filter(user=main).update(is_main_admin=True)
    other = admin_of(company, "other@acme.example")
    c = Client()
    c.force_login(main)
    page = c.get("/sso/").content.decode()
    claimed = SsoDomain.all_companies.get(company=company)
    assert f"selfservice-verification={claimed.token}" in page
    assert "Ikke verificeret endnu" in page  # the admin reads the portal in Danish (their language)
    assert f"/accounts/oidc/company-{company.pk}/login/callback/" in page
    assert "s3cret" not in page
    c.force_login(other)
    assert c.get("/sso/").status_code == 403


@pytest.mark.django_db
def test_the_group_idp_covers_admins_of_the_whole_subsidiary_tree() -> None:
    from companies.tests.factories import CompanyFactory, MembershipFactory
    from sso.adapters import _has_membership

    group = make_company(required=True, verified=True)
    subsidiary = CompanyFactory(parent=group)
    grandchild = CompanyFactory(parent=subsidiary)
    elsewhere = CompanyFactory()
    config = SsoConfiguration.objects.get(company=group)
    deep = MembershipFactory(company=grandchild).user
    outside = MembershipFactory(company=elsewhere).user

    # The group's main admins manage the grandchild's admins, so its IdP signs them in too.
    assert _has_membership(deep, config)
    assert not _has_membership(outside, config)


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_the_oidc_idp_mfa_counts_for_a_company_that_requires_two_factor(idp: tuple[str, Company]) -> None:
    base, company = idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    SsoConfiguration.objects.filter(company=company).update(trust_idp_mfa=True)
    admin_of(company)
    session, response = start_sign_in(base, "anna@acme.example")
    # The IdP signs in with a password and a second factor: its ID token says amr ["pwd", "mfa"].
    response = submit_idp_forms(session, response, "anna@acme.example#mfa")
    assert response.url == f"{base}/"
    assert session.get(f"{base}/", timeout=10).url == f"{base}/"


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_the_oidc_idp_mfa_is_not_trusted_unless_the_company_says_so(idp: tuple[str, Company]) -> None:
    base, company = idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    assert not SsoConfiguration.objects.get(company=company).trust_idp_mfa  # the default
    admin_of(company)
    session, response = start_sign_in(base, "anna@acme.example")
    response = submit_idp_forms(session, response, "anna@acme.example#mfa")  # amr ["pwd", "mfa"] in the ID token
    assert session.get(f"{base}/", timeout=10).url.startswith(f"{base}/accounts/2fa/totp/activate/")


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_a_trusted_idp_without_amr_in_the_id_token_still_gets_the_portals_second_factor(
    idp: tuple[str, Company],
) -> None:
    base, company = idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    SsoConfiguration.objects.filter(company=company).update(trust_idp_mfa=True)
    admin_of(company)
    session, response = start_sign_in(base, "anna@acme.example")
    response = submit_idp_forms(session, response, "anna@acme.example")  # an ID token without amr
    assert session.get(f"{base}/", timeout=10).url.startswith(f"{base}/accounts/2fa/totp/activate/")


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_a_configured_acr_of_the_id_token_counts_as_the_idp_mfa(idp: tuple[str, Company]) -> None:
    base, company = idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    SsoConfiguration.objects.filter(company=company).update(trust_idp_mfa=True, mfa_contexts="urn:acme:loa:mfa")
    admin_of(company)
    session, response = start_sign_in(base, "anna@acme.example")
    # The provider puts acr "urn:acme:loa:mfa" (and no amr) in the ID token for a name ending in "#acr".
    response = submit_idp_forms(session, response, "anna@acme.example#acr")
    assert response.url == f"{base}/"
    assert session.get(f"{base}/", timeout=10).url == f"{base}/"


@needs_provider
@pytest.mark.django_db(transaction=True)
def test_without_the_oidc_idp_mfa_the_portal_asks_for_its_own_second_factor(idp: tuple[str, Company]) -> None:
    base, company = idp
    Company.objects.filter(pk=company.pk).update(require_mfa=True)
    admin_of(company)
    session, response = start_sign_in(base, "anna@acme.example")
    response = submit_idp_forms(session, response, "anna@acme.example")
    assert session.get(f"{base}/", timeout=10).url.startswith(f"{base}/accounts/2fa/totp/activate/")
