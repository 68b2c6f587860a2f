"""The operator's back-office page: every company's single sign-on set-up and its domains' verification."""

from collections.abc import Iterator

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from audit.actor import Actor
from companies.models import Company
from sso import actions, selectors
from sso.dns import FakeResolver
from sso.models import SsoDomain
from sso.tests.test_saml import make_saml_company
from sso.tests.test_sso import admin_of, fake_dns, make_company  # noqa: F401 (fake_dns: a fixture)


@pytest.fixture
def staff_client() -> Iterator[Client]:
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    session = client.session
    session["accounts.has_mfa"] = True
    session.save()
    yield client


@pytest.mark.django_db
def test_staff_see_every_company_s_set_up_and_check_a_domain(staff_client: Client) -> None:
    saml = make_saml_company(verified=False)
    oidc = Company.objects.create(name="Beta ApS", cvr="87654325")
    actions.configure(
        oidc, server_url="https://login.beta.example", client_id="p", required=False, by=Actor.system("t")
    )
    actions.claim_domain(oidc, "beta.example", by=Actor.system("t"))
    page = staff_client.get("/sso/staff/").content.decode()
    assert "Acme A/S" in page and "Beta ApS" in page
    assert "SAML 2.0" in page and "OpenID Connect" in page
    assert "https://idp.acme.example/saml" in page
    assert page.count('data-testid="sso-check-now"') == 2
    claimed = SsoDomain.all_companies.get(company=saml)
    FakeResolver.records["acme.example"] = [claimed.txt_record]
    response = staff_client.post("/sso/staff/", {"domain": claimed.pk}, follow=True)
    assert "acme.example is verified." in response.content.decode()
    assert SsoDomain.all_companies.get(pk=claimed.pk).is_verified
    # Nonsense is a message or a 404, never a 500.
    assert staff_client.post("/sso/staff/", {"domain": "x"}, follow=True).status_code == 200
    assert staff_client.post("/sso/staff/", {"domain": "999999"}).status_code == 404


@pytest.mark.django_db
def test_the_staff_overview_takes_two_queries(django_assert_num_queries: object) -> None:
    for n in range(3):
        company = Company.objects.create(name=f"Firma {n}", cvr=f"1000000{n}")
        actions.configure(company, server_url="https://x.example", client_id="p", required=True, by=Actor.system("t"))
        actions.claim_domain(company, f"firma{n}.example", by=Actor.system("t"))
    with django_assert_num_queries(2):  # type: ignore[operator]
        rows = selectors.staff_overview()
        assert [len(r.domains) for r in rows] == [1, 1, 1]
        assert [r.company.name for r in rows] == ["Firma 0", "Firma 1", "Firma 2"]


@pytest.mark.django_db
def test_customers_do_not_find_the_staff_page() -> None:
    c = Client()
    c.force_login(admin_of(make_company(required=False, verified=True)))
    assert c.get("/sso/staff/").status_code == 404
    assert c.post("/sso/staff/", {"domain": 1}).status_code == 404
