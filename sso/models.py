import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyOwned

TXT_PREFIX = "selfservice-verification="


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SsoConfiguration(CompanyOwned):
    """A company's identity provider: OpenID Connect (Entra ID, Google, an OIDC broker for MitID Erhverv) or
    SAML 2.0 (AD FS, Entra ID, Okta, Shibboleth).

    allauth's ``openid_connect`` or ``saml`` provider reads it as a per-company app (``sso.adapters``); the
    OpenID Connect client secret is stored encrypted with the key set that protects PIN and PUK. A SAML
    identity provider has no secret here: its signing certificate is public.
    """

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices, default=Protocol.OIDC)
    server_url = models.URLField(
        _("issuer URL"),
        blank=True,
        help_text=_("The identity provider's issuer; /.well-known/openid-configuration is read from it."),
    )
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    saml_entity_id = models.CharField(
        _("IdP entity ID"), max_length=1024, blank=True, help_text=_("The SAML identity provider's entity ID.")
    )
    saml_sso_url = models.URLField(
        _("IdP sign-in URL"),
        max_length=1024,
        blank=True,
        help_text=_("The identity provider's single sign-on service (HTTP-Redirect binding)."),
    )
    saml_certificate = models.TextField(
        _("IdP signing certificate"),
        blank=True,
        help_text=_("The X.509 certificate (PEM) the identity provider signs its assertions with."),
    )
    saml_metadata_url = models.URLField(
        _("IdP metadata URL"),
        max_length=1024,
        blank=True,
        help_text=_("Where the identity provider's metadata was read from (read again when the form is saved)."),
    )
    saml_email_attribute = models.CharField(
        _("e-mail attribute"),
        max_length=255,
        blank=True,
        help_text=_(
            "The SAML attribute holding the user's e-mail address. Empty: the usual names "
            "(urn:oid:0.9.2342.19200300.100.1.3, the emailaddress claim) or an e-mail NameID."
        ),
    )
    trust_idp_mfa = models.BooleanField(
        _("Trust the identity provider's two-factor authentication"),
        default=False,
        help_text=_(
            "When on, a sign-in the identity provider's ID token or SAML assertion reports as multi-factor counts "
            "as the portal's second factor. When off, the portal asks for its own second factor where the company "
            "requires two-factor."
        ),
    )
    mfa_contexts = models.TextField(
        _("multi-factor acr / AuthnContextClassRef values"),
        blank=True,
        help_text=_(
            "One per line: the OpenID Connect acr or SAML AuthnContextClassRef values your identity provider "
            "sends for a multi-factor sign-in. Empty: the well-known ones (REFEDS MFA, NSIS Substantial and High, "
            "Microsoft multipleauthn, …)."
        ),
    )
    tested_at = models.DateTimeField(_("test sign-in"), null=True, blank=True, editable=False)
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("test sign-in by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
        return f"{self.company_id}: {self.identity_provider}"

    @property
    def mfa_context_values(self) -> frozenset[str]:
        """The acr / AuthnContextClassRef values that mean several factors: the configured ones, else the usual."""
        from sso.mfa import MFA_CONTEXTS

        configured = frozenset(line.strip() for line in self.mfa_contexts.splitlines() if line.strip())
        return configured or MFA_CONTEXTS

    def idp_settings(self) -> tuple[str, ...]:
        """What says which identity provider answers: when it changes, the test sign-in has to be done again."""
        if self.is_saml:
            return (self.protocol, self.saml_entity_id, self.saml_sso_url, self.saml_certificate)
        return (self.protocol, self.server_url, self.client_id)

    @property
    def is_saml(self) -> bool:
        return self.protocol == self.Protocol.SAML

    @property
    def identity_provider(self) -> str:
        return self.saml_entity_id if self.is_saml else self.server_url

    @property
    def slug(self) -> str:
        # In the callback URLs the company's IdP is given: /accounts/oidc/<slug>/..., /accounts/saml/<slug>/acs/.
        return f"company-{self.company_id}"

    @property
    def provider_id(self) -> str:
        """allauth's sub-provider id (also SocialAccount.provider): one per company and protocol, so identities
        linked through the company's OpenID Connect IdP are not taken for those of its SAML IdP."""
        return f"{self.slug}-saml" if self.is_saml else self.slug


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


class SamlAssertionSeen(models.Model):
    """The ID of every SAML assertion accepted, until it expires: a replayed assertion is refused.

    A database row, not the cache: every portal instance sees it, and the unique constraint settles two
    requests that race with the same assertion.
    """

    assertion_id = models.CharField(max_length=256)
    provider_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider_id", "assertion_id"], name="saml_assertion_used_once")]

    def __str__(self) -> str:
        return self.assertion_id
