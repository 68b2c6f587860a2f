"""Reads: which company's identity provider an e-mail address belongs to; the staff's overview."""

from dataclasses import dataclass

from companies.models import Company
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
    """The enabled configuration behind allauth's provider id: ``company-<id>`` (OpenID Connect) or
    ``company-<id>-saml``. A company that moved from one protocol to the other no longer answers to the old id."""
    prefix, _, rest = provider_id.partition("-")
    company_id, _, suffix = rest.partition("-")
    if prefix != "company" or not company_id.isdigit() or suffix not in ("", "saml"):
        return None
    protocol = SsoConfiguration.Protocol.SAML if suffix == "saml" else SsoConfiguration.Protocol.OIDC
    return (
        SsoConfiguration.objects.unscoped().filter(company_id=int(company_id), enabled=True, protocol=protocol).first()
    )


def configuration_for_slug(slug: str, protocol: str) -> SsoConfiguration | None:
    """By the company part of the callback URL (``company-<id>``), for one protocol."""
    prefix, _, company_id = slug.partition("-")
    if prefix != "company" or not company_id.isdigit():
        return None
    return (
        SsoConfiguration.objects.unscoped().filter(company_id=int(company_id), enabled=True, protocol=protocol).first()
    )


def is_verified_domain_of(config: SsoConfiguration, email: str) -> bool:
    return SsoDomain.objects.filter(
        company_id=config.company_id, domain=domain_of(email), verified_at__isnull=False
    ).exists()


def enabled_configurations(protocol: str | None = None) -> list[SsoConfiguration]:
    configs = SsoConfiguration.objects.unscoped().filter(enabled=True)
    if protocol is not None:
        configs = configs.filter(protocol=protocol)
    return list(configs)


@dataclass(frozen=True)
class StaffRow:
    company: Company
    config: SsoConfiguration | None
    domains: list[SsoDomain]

    @property
    def unverified(self) -> int:
        return sum(1 for d in self.domains if not d.is_verified)


def staff_overview() -> list[StaffRow]:
    """Every company with a single sign-on set-up or a claimed domain, for the operator's staff: two queries."""
    # Across companies on purpose: the operator's back office.
    configs = {c.company_id: c for c in SsoConfiguration.objects.unscoped().select_related("company")}
    domains: dict[int, list[SsoDomain]] = {}
    companies: dict[int, Company] = {c.company_id: c.company for c in configs.values()}
    for claimed in SsoDomain.objects.unscoped().select_related("company").order_by("domain"):
        domains.setdefault(claimed.company_id, []).append(claimed)
        companies.setdefault(claimed.company_id, claimed.company)
    return [
        StaffRow(company=company, config=configs.get(pk), domains=domains.get(pk, []))
        for pk, company in sorted(companies.items(), key=lambda item: (item[1].name.lower(), item[0]))
    ]
