"""Writes of the single sign-on set-up: each audited in its transaction."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from sso.dns import resolver
from sso.models import SsoConfiguration, SsoDomain
from subscriptions import crypto


@dataclass(frozen=True)
class SamlIdp:
    entity_id: str
    sso_url: str
    certificate: str  # PEM (sso.saml.normalise_certificate)
    metadata_url: str = ""
    email_attribute: str = ""


def configure(
    company: Company,
    *,
    server_url: str = "",
    client_id: str = "",
    client_secret: str | None = None,
    required: bool,
    enabled: bool = True,
    protocol: str = SsoConfiguration.Protocol.OIDC,
    saml: SamlIdp | None = None,
    by: Actor,
) -> SsoConfiguration:
    """Creates or changes the company's identity provider; ``client_secret=None`` keeps the stored one.

    ``protocol`` chooses OpenID Connect (``server_url``, ``client_id``, ``client_secret``) or SAML 2.0
    (``saml``); the other protocol's settings are kept, so switching back needs no new secret.
    """
    if protocol == SsoConfiguration.Protocol.SAML and saml is None:
        raise ValueError("a SAML identity provider needs its entity ID, sign-in URL and certificate")
    with transaction.atomic():
        config = SsoConfiguration.objects.for_company(company).select_for_update().first()
        if config is None:
            config = SsoConfiguration(company=company)
        config.protocol = protocol
        if server_url:
            config.server_url = server_url.rstrip("/")
        if client_id:
            config.client_id = client_id
        if saml is not None:
            config.saml_entity_id = saml.entity_id
            config.saml_sso_url = saml.sso_url
            config.saml_certificate = saml.certificate
            config.saml_metadata_url = saml.metadata_url
            config.saml_email_attribute = saml.email_attribute
        config.required = required
        config.enabled = enabled
        if client_secret is not None:
            config.client_secret_encrypted = crypto.encrypt(client_secret)
        config.save()
        record(
            "sso.configured",
            by=by,
            company=company,
            target=config,
            details={
                "protocol": config.protocol,
                "identity_provider": config.identity_provider,
                "required": required,
                "enabled": enabled,
            },
        )
    return config


def claim_domain(company: Company, domain: str, *, by: Actor) -> SsoDomain:
    with transaction.atomic():
        claimed = SsoDomain.objects.create(company=company, domain=domain)
        record("sso.domain_claimed", by=by, company=company, target=claimed, details={"domain": claimed.domain})
    return claimed


def check_domain(claimed: SsoDomain, *, by: Actor) -> bool:
    """Looks the TXT record up ("Check now"); True when the domain is (now) verified.

    A domain verified before that no longer publishes the record stays verified: taking the record
    down after verification is what most guides tell admins to do.
    """
    found = claimed.txt_record in resolver().txt(claimed.domain)
    with transaction.atomic():
        locked = SsoDomain.objects.unscoped().select_for_update().get(pk=claimed.pk)
        locked.checked_at = timezone.now()
        newly = found and locked.verified_at is None
        if newly:
            locked.verified_at = locked.checked_at
        locked.save(update_fields=["checked_at", "verified_at"])
        if newly:
            record(
                "sso.domain_verified", by=by, company=locked.company, target=locked, details={"domain": locked.domain}
            )
    claimed.checked_at, claimed.verified_at = locked.checked_at, locked.verified_at
    return locked.is_verified
