"""Did the company's identity provider sign the user in with more than one factor?

When it says so, the portal does not ask for its own second factor on top (``sso.stages``, and the
"two-factor required" rule in ``accounts.middleware`` is met for that session). When it does not say so,
or says something we do not know, the portal asks for its own TOTP as after a password sign-in.

The markers are the standard ones: OpenID Connect ``amr`` (RFC 8176) and ``acr``, SAML
``AuthnContextClassRef``. The company's IdP is the company's own choice of trust: we take its word, as we
take its word for who the user is.
"""

from collections.abc import Iterable, Mapping
from typing import Any

# RFC 8176: "mfa" says it outright; a knowledge factor together with a possession or inherence factor too.
_AMR_MFA = "mfa"
_AMR_KNOWLEDGE = {"pwd", "pin", "kba"}
# Not "user" (a user-presence test: a click or a touch proves no second factor).
_AMR_OTHER_FACTOR = {"otp", "hwk", "swk", "sms", "tel", "sc", "fpt", "face", "iris", "retina", "vbm", "pop"}

# acr (OpenID Connect) and AuthnContextClassRef (SAML) values that mean several factors.
MFA_CONTEXTS = frozenset(
    {
        "https://refeds.org/profile/mfa",
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
        "http://schemas.microsoft.com/claims/multipleauthn",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        # NSIS (MitID Erhverv through a broker): substantial and high assurance need two factors.
        "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        "https://data.gov.dk/concept/core/nsis/loa/High",
    }
)


def amr_is_mfa(amr: Iterable[str]) -> bool:
    methods = {str(m).lower() for m in amr}
    if _AMR_MFA in methods:
        return True
    return bool(methods & _AMR_KNOWLEDGE) and bool(methods & _AMR_OTHER_FACTOR)


def contexts_are_mfa(contexts: Iterable[str]) -> bool:
    return any(str(c).strip() in MFA_CONTEXTS for c in contexts)


def oidc_asserts_mfa(extra_data: Mapping[str, Any]) -> bool:
    """From allauth's ``openid_connect`` extra data: the ID token's claims (the userinfo only as a fallback)."""
    for source in ("id_token", "userinfo"):
        claims = extra_data.get(source)
        if not isinstance(claims, Mapping):
            continue
        amr = claims.get("amr")
        if isinstance(amr, list) and amr_is_mfa(amr):
            return True
        acr = claims.get("acr")
        if isinstance(acr, str) and contexts_are_mfa([acr]):
            return True
    return False
