"""The operator's staff set single sign-on up in Django admin: secret encrypted, domain checked on demand."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from companies.models import Company
from sso.dns import FakeResolver
from sso.models import SsoConfiguration, SsoDomain

ADMIN = "/" + settings.ADMIN_URL


@pytest.fixture
def staff_client(settings: object) -> Iterator[Client]:
    settings.SSO_TXT_RESOLVER = "sso.dns.FakeResolver"  # type: ignore[attr-defined]
    FakeResolver.records = {}
    client = Client()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    session = client.session
    session["accounts.has_mfa"] = True
    session.save()
    yield client
    FakeResolver.records = {}


@pytest.mark.django_db
def test_staff_configure_the_idp_and_the_secret_is_stored_encrypted(staff_client: Client) -> None:
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    response = staff_client.post(
        f"{ADMIN}sso/ssoconfiguration/add/",
        {
            "company": company.pk,
            "protocol": "oidc",
            "server_url": "https://login.example.com/tenant/v2.0",
            "client_id": "portal",
            "client_secret": "top-secret",
            "required": "on",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    config = SsoConfiguration.all_companies.get(company=company)
    assert config.required and config.client_id == "portal"
    assert "top-secret" not in config.client_secret_encrypted
    assert AuditEvent.all_companies.filter(company=company, action="sso.configured").exists()
    # Changing the flag without a secret keeps the stored one.
    staff_client.post(
        f"{ADMIN}sso/ssoconfiguration/{config.pk}/change/",
        {
            "company": company.pk,
            "protocol": "oidc",
            "server_url": config.server_url,
            "client_id": "portal",
            "client_secret": "",
            "enabled": "on",
        },
    )
    changed = SsoConfiguration.all_companies.get(pk=config.pk)
    assert not changed.required
    assert changed.client_secret_encrypted == config.client_secret_encrypted


@pytest.mark.django_db
def test_check_now_verifies_a_domain_only_when_its_txt_record_is_published(staff_client: Client) -> None:
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    claimed = SsoDomain.all_companies.create(company=company, domain="Acme.Example.")
    assert claimed.domain == "acme.example"
    action = {"action": "check_now", "_selected_action": [claimed.pk]}
    response = staff_client.post(f"{ADMIN}sso/ssodomain/", action, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"acme.example: the TXT record {claimed.txt_record} was not found."
    ]
    assert not SsoDomain.all_companies.get(pk=claimed.pk).is_verified
    FakeResolver.records["acme.example"] = [claimed.txt_record]
    response = staff_client.post(f"{ADMIN}sso/ssodomain/", action, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["acme.example is verified."]
    assert SsoDomain.all_companies.get(pk=claimed.pk).is_verified
    assert AuditEvent.all_companies.filter(company=company, action="sso.domain_verified").count() == 1


def idp_metadata(certificate_pem: str) -> str:
    body = "".join(line for line in certificate_pem.splitlines() if "CERTIFICATE" not in line)
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="https://sts.acme.example/adfs/services/trust">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://sts.acme.example/adfs/ls/"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


@pytest.mark.django_db
def test_staff_choose_saml_and_paste_the_idp_metadata(staff_client: Client, tmp_path: object) -> None:
    from pathlib import Path

    from sso.tests.saml_idp import key_pair

    certificate = key_pair(Path(str(tmp_path)), "adfs")[1].read_text()
    company = Company.objects.create(name="Acme A/S", cvr="12345674")
    form = {"company": company.pk, "protocol": "saml", "required": "on", "enabled": "on"}
    # Without the IdP's details (or its metadata) the form says what is missing.
    response = staff_client.post(f"{ADMIN}sso/ssoconfiguration/add/", form)
    assert response.status_code == 200
    assert "Needed for SAML (or give the metadata)." in response.content.decode()
    # A certificate that is not one is refused.
    bad = {**form, "saml_entity_id": "x", "saml_sso_url": "https://x.example/", "saml_certificate": "not a cert"}
    assert (
        "This is not an X.509 certificate (PEM)."
        in staff_client.post(f"{ADMIN}sso/ssoconfiguration/add/", bad).content.decode()
    )
    response = staff_client.post(
        f"{ADMIN}sso/ssoconfiguration/add/",
        {**form, "saml_metadata_xml": idp_metadata(certificate), "saml_email_attribute": "mail"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    config = SsoConfiguration.all_companies.get(company=company)
    assert config.is_saml and config.provider_id == f"company-{company.pk}-saml"
    assert config.saml_entity_id == "https://sts.acme.example/adfs/services/trust"
    assert config.saml_sso_url == "https://sts.acme.example/adfs/ls/"
    assert config.saml_certificate.startswith("-----BEGIN CERTIFICATE-----")
    event = AuditEvent.all_companies.get(company=company, action="sso.configured")
    assert event.details["protocol"] == "saml"
