"""allauth's second-factor stage, skipped when the company's identity provider already asked for several factors."""

from allauth.mfa.stages import AuthenticateStage
from django.http import HttpRequest


def _idp_asserted_mfa(login: object) -> bool:
    from allauth.socialaccount.models import SocialLogin

    from sso.adapters import IDP_MFA_STATE

    sociallogin = (getattr(login, "signal_kwargs", None) or {}).get("sociallogin")
    # Anything but the SocialLogin this request just completed (a resumed, serialised login) asks as before.
    return isinstance(sociallogin, SocialLogin) and sociallogin.state.get(IDP_MFA_STATE) is True


class AuthenticateUnlessIdpMfaStage(AuthenticateStage):
    def _should_handle(self, request: HttpRequest) -> bool:
        if _idp_asserted_mfa(self.login):
            return False
        return bool(super()._should_handle(request))
