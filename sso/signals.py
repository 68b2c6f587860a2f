"""After a single sign-on whose IdP asserted several factors, the session counts as two-factor."""

import time
from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import MFA_SESSION_FLAG

# Set with the flag, for the pages (and the audit) that tell how this session's second factor was given.
IDP_MFA_SESSION_KEY = "sso.idp_mfa"
# When the company's IdP last signed the user in: a fresh sign-in there counts as reauthentication
# (sso.adapters.AccountAdapter), so an admin without a password can still set up the portal's TOTP.
SIGNED_IN_AT_SESSION_KEY = "sso.signed_in_at"


@receiver(user_logged_in)
def on_sso_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from sso.adapters import IDP_MFA_STATE

    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None:
        return
    request.session[SIGNED_IN_AT_SESSION_KEY] = time.time()
    _remember_main_admin_test(sociallogin, user)
    if sociallogin.state.get(IDP_MFA_STATE) is not True:
        return
    # A company that requires two-factor (accounts.middleware) takes its IdP's multi-factor sign-in for it.
    request.session[MFA_SESSION_FLAG] = True
    request.session[IDP_MFA_SESSION_KEY] = True


def _remember_main_admin_test(sociallogin: Any, user: Any) -> None:
    """A main admin of the company got in through its IdP: what "Require single sign-on" waits for."""
    from companies.selectors import main_admins_covering
    from sso import actions, selectors

    config = selectors.configuration_for_provider(str(sociallogin.account.provider))
    if config is None or not config.pk:
        return
    if main_admins_covering(config.company).filter(user=user).exists():
        actions.record_test_sign_in(config, user)
