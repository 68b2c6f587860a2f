"""The identity provider's and the domains' forms (staff admin and the portal alike); the sign-in and
password-reset forms, which refuse a password where the company requires single sign-on."""

import re
from typing import Any

import requests
from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from sso import safe_http, saml
from sso.actions import SamlIdp
from sso.models import SsoConfiguration, SsoDomain
from sso.selectors import configuration_for_email

DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def sso_required_for(email: str) -> bool:
    from django.contrib.auth import get_user_model

    config = configuration_for_email(email)
    if config is None or not config.required:
        return False
    # Staff always keep their password and second factor, whatever the domain says.
    return not get_user_model().objects.filter(email__iexact=email, is_staff=True).exists()


PASSWORD_REFUSED = _(
    "Your company requires sign-in through its own identity provider: enter your e-mail address "
    "and choose Sign in, without a password."
)
RESET_REFUSED = _(
    "Your company requires sign-in through its own identity provider, so there is no password to reset here. "
    "Your IT department resets it."
)


class SsoLoginForm(LoginForm):
    def clean(self) -> dict[str, Any]:
        login = str(self.data.get("login", "")).strip()
        if login and sso_required_for(login):
            raise forms.ValidationError(PASSWORD_REFUSED)
        return super().clean()


class SsoResetPasswordForm(ResetPasswordForm):
    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email", "")).strip()
        if email and sso_required_for(email):
            raise forms.ValidationError(RESET_REFUSED)
        return str(super().clean_email())


OIDC_FIELDS = ("server_url", "client_id")
SAML_FIELDS = ("saml_entity_id", "saml_sso_url", "saml_certificate")


class SsoConfigurationForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the stored secret."),
    )
    saml_metadata_xml = forms.CharField(
        label=_("IdP metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Paste the identity provider's metadata instead of the three fields above; it is read once."),
    )

    class Meta:
        model = SsoConfiguration
        fields = [
            "company",
            "protocol",
            "server_url",
            "client_id",
            "saml_entity_id",
            "saml_sso_url",
            "saml_certificate",
            "saml_metadata_url",
            "saml_email_attribute",
            "required",
            "enabled",
            "trust_idp_mfa",
            "mfa_contexts",
        ]
        widgets = {
            "protocol": forms.RadioSelect,
            "saml_certificate": forms.Textarea(attrs={"rows": 4}),
            "mfa_contexts": forms.Textarea(attrs={"rows": 3}),
        }

    # The portal's form (a customer's admin) reads the issuer's discovery document before saving; the staff's
    # admin does not have to (the sign-in checks every URL anyway: sso.safe_http).
    check_discovery = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("protocol") == SsoConfiguration.Protocol.SAML:
            self._clean_saml(data)
        else:
            for name in OIDC_FIELDS:
                if not data.get(name):
                    self.add_error(name, _("Needed for OpenID Connect."))
            if self.check_discovery and data.get("server_url") and not self.errors.get("server_url"):
                self._check_discovery(str(data["server_url"]))
        return data

    def _check_discovery(self, issuer: str) -> None:
        issuer = issuer.rstrip("/")
        try:
            document = safe_http.get(f"{issuer}/.well-known/openid-configuration").json()
        except safe_http.UnsafeUrl as error:
            self.add_error("server_url", str(error))
            return
        except (requests.RequestException, ValueError):
            self.add_error("server_url", _("No OpenID Connect discovery document could be read from this issuer."))
            return
        if (
            not isinstance(document, dict)
            or str(document.get("issuer", "")).rstrip("/") != issuer
            or not document.get("authorization_endpoint")
        ):
            self.add_error(
                "server_url",
                _("The discovery document at this URL is for another issuer, or names no sign-in endpoint."),
            )

    def settings(self) -> dict[str, Any]:
        """The cleaned identity provider settings, as ``sso.actions.configure`` takes them."""
        data = self.cleaned_data
        saml_idp = None
        if data["protocol"] == SsoConfiguration.Protocol.SAML:
            saml_idp = SamlIdp(
                entity_id=data["saml_entity_id"],
                sso_url=data["saml_sso_url"],
                certificate=data["saml_certificate"],
                metadata_url=data.get("saml_metadata_url") or "",
                email_attribute=data.get("saml_email_attribute") or "",
            )
        return {
            "protocol": data["protocol"],
            "server_url": data.get("server_url") or "",
            "client_id": data.get("client_id") or "",
            "client_secret": data.get("client_secret") or None,
            "saml": saml_idp,
            "trust_idp_mfa": bool(data.get("trust_idp_mfa")),
            "mfa_contexts": data.get("mfa_contexts") or "",
        }

    def _clean_saml(self, data: dict[str, Any]) -> None:
        xml = data.get("saml_metadata_xml") or ""
        if not xml and data.get("saml_metadata_url"):
            try:
                xml = saml.fetch_metadata(data["saml_metadata_url"])
            except safe_http.UnsafeUrl as error:
                self.add_error("saml_metadata_url", str(error))
                return
            except Exception:  # noqa: BLE001 (any network or HTTP error is the admin's to see)
                self.add_error("saml_metadata_url", _("The metadata could not be read from this URL."))
                return
        if xml:
            try:
                parsed = saml.parse_metadata(xml)
            except ValueError:
                field = "saml_metadata_xml" if data.get("saml_metadata_xml") else "saml_metadata_url"
                self.add_error(
                    field,
                    _("This is not an identity provider's metadata with a sign-in URL and a signing certificate."),
                )
                return
            data["saml_entity_id"], data["saml_sso_url"] = parsed["entity_id"], parsed["sso_url"]
            data["saml_certificate"] = parsed["certificate"]
        for name in SAML_FIELDS:
            if not data.get(name):
                self.add_error(name, _("Needed for SAML (or give the metadata)."))
        if data.get("saml_certificate"):
            try:
                data["saml_certificate"] = saml.normalise_certificate(data["saml_certificate"])
            except ValueError:
                self.add_error("saml_certificate", _("This is not an X.509 certificate (PEM)."))


class CompanySsoForm(SsoConfigurationForm):
    """The same form for a company's main admins in the portal: their own company only, no "required" or
    "enabled" here (turning single sign-on on is its own step, after a test sign-in: sso.actions.set_required).
    """

    check_discovery = True

    class Meta(SsoConfigurationForm.Meta):
        fields = [f for f in SsoConfigurationForm.Meta.fields if f not in ("company", "required", "enabled")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        has_secret = bool(self.instance.client_secret_encrypted)
        self.fields["client_secret"].label = _("Replace the client secret") if has_secret else _("Client secret")
        self.fields["client_secret"].help_text = (
            _("A secret is set (stored encrypted, never shown). Leave empty to keep it.")
            if has_secret
            else _("Stored encrypted and never shown again.")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("protocol") == SsoConfiguration.Protocol.OIDC
            and not data.get("client_secret")
            and not self.instance.client_secret_encrypted
        ):
            self.add_error("client_secret", _("Needed for OpenID Connect."))
        return data


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        help_text=_("The part after @ in your users' addresses, e.g. example.com."),
    )

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip().lower().rstrip(".").removeprefix("@")
        labels = domain.split(".")
        if len(labels) < 2 or not all(DOMAIN_LABEL.fullmatch(label) for label in labels):
            raise forms.ValidationError(_("Enter a domain such as example.com."))
        if SsoDomain.objects.unscoped().filter(domain=domain).exists():  # claimed by any company: one owner
            raise forms.ValidationError(_("This domain has already been added."))
        return domain
