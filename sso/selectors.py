"""Reads: which company's identity provider an e-mail address belongs to."""

from sso.models import SsoConfiguration, SsoDomain


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def configuration_for_email(email: str) -> SsoConfiguration | None:
    """The enabled configuration of the company that verified the address's domain (one query), else None."""
    domain = domain_of(email)
    if not domain:
        return None
    claimed = (
        # Across companies on purpose: the sign-in page does not know the company yet.
        SsoDomain.objects.unscoped()
        .filter(domain=domain, verified_at__isnull=False)
        .values_list("company_id", flat=True)
        .first()
    )
    if claimed is None:
        return None
    return (
        SsoConfiguration.objects.unscoped().filter(company_id=claimed, enabled=True).select_related("company").first()
    )


def configuration_for_provider(provider_id: str) -> SsoConfiguration | None:
    prefix, _, company_id = provider_id.partition("-")
    if prefix != "company" or not company_id.isdigit():
        return None
    return SsoConfiguration.objects.unscoped().filter(company_id=int(company_id), enabled=True).first()


def is_verified_domain_of(config: SsoConfiguration, email: str) -> bool:
    return SsoDomain.objects.filter(
        company_id=config.company_id, domain=domain_of(email), verified_at__isnull=False
    ).exists()


def enabled_configurations() -> list[SsoConfiguration]:
    return list(SsoConfiguration.objects.unscoped().filter(enabled=True))
