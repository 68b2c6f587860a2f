"""Did the company's identity provider sign the user in with more than one factor?

Only for a company that chose to trust it ("Trust the identity provider's two-factor authentication", off by
default): then, when the IdP says so, the portal does not ask for its own second factor on top (``sso.stages``,
and the "two-factor required" rule in ``accounts.middleware`` is met for that session). When the company does not
trust it, or the IdP does not say so, or says something we do not know, the portal asks for its own TOTP or
security key as after a password sign-in.

The markers are the standard ones: OpenID Connect ``amr`` (RFC 8176) and ``acr``, SAML
``AuthnContextClassRef`` (the company may list the acr / class values its IdP uses). For OpenID Connect only the
ID token counts: it is signed by the IdP and bound to this sign-in (nonce, audience), while the userinfo answer
is neither, and a claim there may be stale or an attribute an admin can edit.
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


def contexts_are_mfa(contexts: Iterable[str], accepted: Iterable[str] = MFA_CONTEXTS) -> bool:
    values = frozenset(accepted)
    return any(str(c).strip() in values for c in contexts)


def oidc_asserts_mfa(extra_data: Mapping[str, Any], accepted: Iterable[str] = MFA_CONTEXTS) -> bool:
    """From allauth's ``openid_connect`` extra data: the ID token's claims only, never the userinfo's."""
    claims = extra_data.get("id_token")
    if not isinstance(claims, Mapping):
        return False
    amr = claims.get("amr")
    if isinstance(amr, list) and amr_is_mfa(amr):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and contexts_are_mfa([acr], accepted)
