"""SAML 2.0 through allauth's ``saml`` provider (python3-saml underneath): each company's IdP as an app.

allauth (with python3-saml in strict mode) checks the signature against the company's certificate, the
audience (our SP entity ID), the destination, the validity window and InResponseTo. On top of it, this
provider refuses an assertion it has already accepted (a replay within its validity window), and tells
``sso.adapters`` whether the IdP signed the user in with several factors.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from cryptography import x509
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sso.models import SamlAssertionSeen, SsoConfiguration

# The usual names of the e-mail attribute (allauth's defaults, plus Entra ID's and the LDAP name).
EMAIL_ATTRIBUTES = [
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "mail",
    "email",
]
# An assertion without NotOnOrAfter is remembered this long (python3-saml allows a little clock skew).
_REMEMBER_WITHOUT_EXPIRY = timedelta(hours=8)


def normalise_certificate(text: str) -> str:
    """The certificate as PEM, from PEM or bare base64; ValueError when it is not an X.509 certificate."""
    body = "".join(
        line.strip() for line in text.strip().splitlines() if line.strip() and "CERTIFICATE-----" not in line
    )
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    pem += "\n-----END CERTIFICATE-----\n"
    try:
        x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise ValueError(str(error)) from error
    return pem


def parse_metadata(xml: str) -> dict[str, str]:
    """Entity ID, sign-in URL (HTTP-Redirect) and signing certificate from an IdP's metadata XML."""
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as error:
        raise ValueError(str(error)) from error
    idp = parsed.get("idp") or {}
    certificate = idp.get("x509cert") or next(iter((idp.get("x509certMulti") or {}).get("signing", [])), "")
    result = {
        "entity_id": idp.get("entityId", ""),
        "sso_url": (idp.get("singleSignOnService") or {}).get("url", ""),
        "certificate": certificate,
    }
    if not all(result.values()):
        raise ValueError("no IdP entity ID, HTTP-Redirect sign-in service or signing certificate")
    return result


def fetch_metadata(url: str) -> str:
    """The metadata at ``url``; sso.safe_http.UnsafeUrl for a URL inside our network, requests' errors else."""
    from sso import safe_http

    return safe_http.get(url).text


def social_app(config: SsoConfiguration) -> SocialApp:
    """An unsaved app, as allauth builds from settings."""
    email = [config.saml_email_attribute] if config.saml_email_attribute else []
    return SocialApp(
        provider=SAMLProvider.id,
        provider_id=config.provider_id,
        name=str(_("Your organisation's sign-in")),
        client_id=config.slug,  # allauth's "organization slug" in /accounts/saml/<slug>/acs/
        settings={
            "attribute_mapping": {
                "email": email + [a for a in EMAIL_ATTRIBUTES if a not in email],
                "first_name": ["urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"],
                "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"],
            },
            "idp": {
                "entity_id": config.saml_entity_id,
                "sso_url": config.saml_sso_url,
                "x509cert": config.saml_certificate,
            },
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,  # only an answer to our own request (InResponseTo)
                "reject_deprecated_algorithm": True,
                # In development and the tests the portal runs on 127.0.0.1 / localhost.
                "allow_single_label_domains": True,
            },
        },
    )


def remember_assertion(provider_id: str, assertion_id: str, not_on_or_after: int | None) -> bool:
    """True the first time an assertion ID is seen for the IdP; False for a replay."""
    now = timezone.now()
    if not_on_or_after:
        expires_at = datetime.fromtimestamp(not_on_or_after, tz=UTC) + timedelta(minutes=5)
    else:
        expires_at = now + _REMEMBER_WITHOUT_EXPIRY
    SamlAssertionSeen.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SamlAssertionSeen.objects.create(provider_id=provider_id, assertion_id=assertion_id, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


class CompanySAMLProvider(SAMLProvider):
    """allauth's SAML provider (settings: SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]), plus the replay
    check and the IdP's authentication context."""

    # allauth mounts a provider's URLs from its package: allauth's SAML views, not sso.urls.
    package = "allauth.socialaccount.providers.saml"

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> SocialLogin:
        from sso.adapters import refuse

        assertion_id = response.get_last_assertion_id()
        if not assertion_id or not remember_assertion(
            str(self.app.provider_id), assertion_id, response.get_last_assertion_not_on_or_after()
        ):
            raise refuse(request, _("This sign-in was already used. Please sign in again."))
        login: SocialLogin = super().sociallogin_from_response(request, response)
        # Read by sso.adapters.pre_social_login (the login's state is replaced after this call), which decides
        # with the company's trust setting and MFA classes.
        login.sso_authn_contexts = [str(c) for c in response.get_last_authn_contexts() or []]
        return login
