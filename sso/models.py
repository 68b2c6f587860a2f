import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyOwned

TXT_PREFIX = "selfservice-verification="


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SsoConfiguration(CompanyOwned):
    """A company's OpenID Connect identity provider (Entra ID, Google, an OIDC broker for MitID Erhverv).

    allauth's ``openid_connect`` provider reads it as a per-company app (``sso.adapters``); the client
    secret is stored encrypted with the key set that protects PIN and PUK.
    """

    server_url = models.URLField(
        _("issuer URL"),
        help_text=_("The identity provider's issuer; /.well-known/openid-configuration is read from it."),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret_encrypted = models.TextField(_("client secret (encrypted)"), blank=True, editable=False)
    required = models.BooleanField(
        _("single sign-on required"),
        default=False,
        help_text=_("Users of the verified domains can no longer sign in or reset a password with a password."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("single sign-on configuration")
        verbose_name_plural = _("single sign-on configurations")
        constraints = [models.UniqueConstraint(fields=["company"], name="one_sso_configuration_per_company")]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.server_url}"

    @property
    def provider_id(self) -> str:
        # allauth's sub-provider id: in the callback URL the company's IdP is given (/accounts/oidc/<id>/...).
        return f"company-{self.company_id}"


class SsoDomain(CompanyOwned):
    """An e-mail domain a company claims; single sign-on applies to it only once the DNS TXT record is seen."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    token = models.CharField(_("verification token"), max_length=64, default=new_token, editable=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("single sign-on domain")
        verbose_name_plural = _("single sign-on domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    @property
    def txt_record(self) -> str:
        return f"{TXT_PREFIX}{self.token}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
