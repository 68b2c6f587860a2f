"""Writes of the single sign-on set-up: each audited in its transaction."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from companies.selectors import main_admins_covering
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
    trust_idp_mfa: bool | None = None,
    mfa_contexts: str | None = None,
    by: Actor,
    by_company_admin: bool = False,
) -> SsoConfiguration:
    """Creates or changes the company's identity provider; ``client_secret=None`` keeps the stored one, and
    ``trust_idp_mfa`` / ``mfa_contexts`` None keep theirs.

    ``protocol`` chooses OpenID Connect (``server_url``, ``client_id``, ``client_secret``) or SAML 2.0
    (``saml``); the other protocol's settings are kept, so switching back needs no new secret. A change of
    identity provider asks for a new test sign-in before single sign-on can be required again.

    ``by_company_admin``: a customer's main admin (the portal) cannot change "required" here (``set_required``)
    nor change the identity provider while single sign-on is required (a wrong one would lock everyone out).
    The other main admins are told by e-mail.
    """
    if protocol == SsoConfiguration.Protocol.SAML and saml is None:
        raise ValueError("a SAML identity provider needs its entity ID, sign-in URL and certificate")
    with transaction.atomic():
        config = SsoConfiguration.objects.for_company(company).select_for_update().first()
        if config is None:
            config = SsoConfiguration(company=company)
        before = config.idp_settings() if config.pk else None
        if by_company_admin:
            required, enabled = config.required, config.enabled
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
        if trust_idp_mfa is not None:
            config.trust_idp_mfa = trust_idp_mfa
        if mfa_contexts is not None:
            config.mfa_contexts = "\n".join(line.strip() for line in mfa_contexts.splitlines() if line.strip())
        idp_changed = before is not None and before != config.idp_settings()
        if by_company_admin and idp_changed and config.required:
            raise ValidationError(
                _(
                    "Single sign-on is required, so the identity provider cannot be changed now: a wrong one would "
                    "lock everyone out. Turn off “Require single sign-on” first, test the new one, then turn it on."
                ),
                code="idp_change_while_required",
            )
        if client_secret is not None:
            config.client_secret_encrypted = crypto.encrypt(client_secret)
        if idp_changed:
            config.tested_at, config.tested_by = None, None
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
                "trust_idp_mfa": config.trust_idp_mfa,
                "secret_replaced": client_secret is not None,
            },
        )
        _tell_main_admins(
            company,
            by,
            gettext_noop("The single sign-on set-up of %(company)s was changed"),
            [
                gettext_noop("%(who)s changed the single sign-on set-up of %(company)s: identity provider %(idp)s."),
                gettext_noop("Trust the identity provider's two-factor authentication: %(trust)s."),
            ],
            idp=config.identity_provider,
            trust=gettext_noop("yes") if config.trust_idp_mfa else gettext_noop("no"),
        )
    return config


def _tell_main_admins(company: Company, by: Actor, subject: str, lines: list[str], **params: Any) -> None:
    """E-mails the company's main admins (and its groups'), except the one who made the change, in their language.

    ``subject`` and ``lines`` are msgids, as are the values of ``params`` that are words (translated too).
    """
    url = settings.PORTAL_BASE_URL + reverse("sso:overview")
    for admin in main_admins_covering(company):
        if by.user is not None and admin.user_id == by.user.pk:
            continue
        with translation.override(admin.user.language):
            values = {"who": by.display, "company": company.name}
            values |= {k: _(v) if isinstance(v, str) and k in ("trust", "required") else v for k, v in params.items()}
            body = render_to_string(
                "accounts/email/admins_notice.txt", {"lines": [_(line) % values for line in lines], "url": url}
            )
            send_mail(_(subject) % values, body, settings.DEFAULT_FROM_EMAIL, [admin.user.email])


def record_test_sign_in(config: SsoConfiguration, user: Any) -> None:
    """A main admin of the company signed in through its identity provider: "Require SSO" may be turned on."""
    with transaction.atomic():
        locked = SsoConfiguration.objects.unscoped().select_for_update().get(pk=config.pk)
        first = locked.tested_by_id != user.pk or locked.tested_at is None
        locked.tested_at, locked.tested_by = timezone.now(), user
        locked.save(update_fields=["tested_at", "tested_by"])
        if first:
            record(
                "sso.test_signed_in",
                by=Actor(user=user),
                company=locked.company,
                target=locked,
                details={"identity_provider": locked.identity_provider},
            )


def set_required(config: SsoConfiguration, *, required: bool, by: Actor) -> SsoConfiguration:
    """A main admin turns "Require single sign-on" on or off.

    On only once a domain is verified and this admin has signed in through the identity provider since it was
    last changed: then at least one admin is known to get in, and nobody is locked out by a typo.
    """
    with transaction.atomic():
        locked = SsoConfiguration.objects.unscoped().select_for_update().select_related("company").get(pk=config.pk)
        if required and not locked.required:
            if (
                not SsoDomain.objects.unscoped()
                .filter(company_id=locked.company_id, verified_at__isnull=False)
                .exists()
            ):
                raise ValidationError(
                    _("Verify at least one of your domains first (publish the TXT record, then Check now)."),
                    code="no_verified_domain",
                )
            if locked.tested_at is None or by.user is None or locked.tested_by_id != by.user.pk:
                raise ValidationError(
                    _(
                        "Sign in through your identity provider once yourself first (Test sign-in), so that we know "
                        "it lets you in."
                    ),
                    code="not_tested",
                )
        if locked.required == required:
            return locked
        locked.required = required
        locked.save(update_fields=["required", "updated_at"])
        record("sso.required_changed", by=by, company=locked.company, target=locked, details={"required": required})
        _tell_main_admins(
            locked.company,
            by,
            gettext_noop("Single sign-on for %(company)s: required %(required)s"),
            [
                gettext_noop("%(who)s set “Require single sign-on” for %(company)s to %(required)s."),
                gettext_noop(
                    "When it is required, users of the verified domains sign in only through the identity "
                    "provider; no password."
                ),
            ],
            required=gettext_noop("yes") if required else gettext_noop("no"),
        )
    config.required = locked.required
    return locked


def claim_domain(company: Company, domain: str, *, by: Actor) -> SsoDomain:
    try:
        with transaction.atomic():
            claimed = SsoDomain.objects.create(company=company, domain=domain)
            record("sso.domain_claimed", by=by, company=company, target=claimed, details={"domain": claimed.domain})
            _tell_main_admins(
                company,
                by,
                gettext_noop("A domain was added to the single sign-on of %(company)s"),
                [gettext_noop("%(who)s added the domain %(domain)s to the single sign-on of %(company)s.")],
                domain=claimed.domain,
            )
    except IntegrityError:  # claimed at the same moment by another company (the form checked before)
        raise ValidationError(_("This domain has already been added."), code="domain_taken") from None
    return claimed


def remove_domain(claimed: SsoDomain, *, by: Actor) -> None:
    """A main admin removes a domain (a typo, a domain given up). Refused for the last verified domain while single
    sign-on is required: the company's users would otherwise lose the way in that "Require" promised."""
    with transaction.atomic():
        locked = SsoDomain.objects.unscoped().select_for_update().select_related("company").get(pk=claimed.pk)
        company = locked.company
        if locked.is_verified:
            required = SsoConfiguration.objects.unscoped().filter(company=company, required=True).exists()
            others = (
                SsoDomain.objects.unscoped()
                .filter(company=company, verified_at__isnull=False)
                .exclude(pk=locked.pk)
                .exists()
            )
            if required and not others:
                raise ValidationError(
                    _(
                        "%(domain)s is the last verified domain while single sign-on is required. Turn off “Require "
                        "single sign-on” first, or verify another domain."
                    )
                    % {"domain": locked.domain},
                    code="last_verified_domain",
                )
        domain, was_verified = locked.domain, locked.is_verified
        record(
            "sso.domain_removed",
            by=by,
            company=company,
            target=locked,
            details={"domain": domain, "was_verified": was_verified},
        )
        locked.delete()
        _tell_main_admins(
            company,
            by,
            gettext_noop("A domain was removed from the single sign-on of %(company)s"),
            [
                gettext_noop("%(who)s removed the domain %(domain)s from the single sign-on of %(company)s."),
                gettext_noop("Single sign-on no longer applies to addresses of that domain."),
            ],
            domain=domain,
        )


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
            _tell_main_admins(
                locked.company,
                by,
                gettext_noop("The domain %(domain)s of %(company)s is verified"),
                [gettext_noop("The domain %(domain)s is verified for the single sign-on of %(company)s.")],
                domain=locked.domain,
            )
    claimed.checked_at, claimed.verified_at = locked.checked_at, locked.verified_at
    return locked.is_verified
