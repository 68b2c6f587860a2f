"""Writes of the single sign-on set-up: each audited in its transaction."""

from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from sso.dns import resolver
from sso.models import SsoConfiguration, SsoDomain
from subscriptions import crypto


def configure(
    company: Company,
    *,
    server_url: str,
    client_id: str,
    client_secret: str | None,
    required: bool,
    enabled: bool = True,
    by: Actor,
) -> SsoConfiguration:
    """Creates or changes the company's identity provider; ``client_secret=None`` keeps the stored one."""
    with transaction.atomic():
        config = SsoConfiguration.objects.for_company(company).select_for_update().first()
        if config is None:
            config = SsoConfiguration(company=company)
        config.server_url = server_url.rstrip("/")
        config.client_id = client_id
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
            details={"server_url": config.server_url, "required": required, "enabled": enabled},
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
