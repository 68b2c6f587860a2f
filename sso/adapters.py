"""allauth's side of single sign-on: each company's identity provider as an ``openid_connect`` or ``saml`` app."""

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.adapters import AccountAdapter as PortalAccountAdapter
from audit.client_ip import client_ip
from companies.models import Invitation, Membership
from companies.selectors import company_and_subsidiaries
from registry.events import publish
from sso import mfa, selectors
from sso.events import IdentityAsserted
from sso.models import SsoConfiguration
from subscriptions import crypto

OIDC = "openid_connect"
SAML = "saml"
# In the sign-in's state: whether the company's IdP asserted several factors (sso.mfa).
IDP_MFA_STATE = "sso_idp_mfa"


def social_app(config: SsoConfiguration) -> SocialApp:
    """An unsaved app, as allauth builds from settings: the secret is decrypted only here, in memory."""
    if config.is_saml:
        from sso import saml

        return saml.social_app(config)
    return SocialApp(
        provider="openid_connect",
        provider_id=config.provider_id,
        name=str(_("Your organisation's sign-in")),
        client_id=config.client_id,
        secret=crypto.decrypt(config.client_secret_encrypted),
        settings={"server_url": config.server_url, "fetch_userinfo": True},
    )


def _in_company(config: SsoConfiguration) -> Q:
    # The company's verified domains cover its subsidiaries too (a group's identity provider), the whole
    # tree its main admins manage.
    return Q(company_id__in=[c.pk for c in company_and_subsidiaries(config.company)])


def _has_membership(user: Any, config: SsoConfiguration) -> bool:
    return Membership.objects.filter(_in_company(config), user=user).exists()


def _accept_invitation(request: HttpRequest, config: SsoConfiguration, email: str, user: Any) -> Any:
    """The user of the company's open invitation for ``email``, accepted now (created without a password)."""
    from accounts.admins import accept_invitation, is_expired

    invitation = (
        Invitation.objects.unscoped()  # the company comes from the IdP that answered: checked in the filter
        .filter(_in_company(config), email__iexact=email, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if invitation is None or is_expired(invitation):
        return None
    if user is None and get_user_model().objects.filter(email__iexact=email).exists():
        return None  # a deactivated account is not revived by an invitation
    with transaction.atomic():
        if user is None:
            # No password: this admin signs in through the company's identity provider.
            user = get_user_model().objects.create_user(
                invitation.email,
                None,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
                language=invitation.language,
            )
        user, _membership = accept_invitation(invitation=invitation, ip_address=client_ip(request))
    return user


def refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(TemplateResponse(request, "sso/refused.html", {"message": message}, status=403))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        # No SocialApp rows: the companies' configurations are the apps (the secret stays encrypted at rest).
        if provider == SAML and client_id:
            # allauth's SAML views look the app up by the slug in their URL (/accounts/saml/<slug>/...).
            config = selectors.configuration_for_slug(client_id, SsoConfiguration.Protocol.SAML)
            return [social_app(config)] if config is not None else []
        if provider == SAML:
            configs = selectors.enabled_configurations(SsoConfiguration.Protocol.SAML)
        elif provider == OIDC:
            configs = selectors.enabled_configurations(SsoConfiguration.Protocol.OIDC)
        elif provider:
            config = selectors.configuration_for_provider(provider)
            configs = [config] if config is not None else []
        else:
            configs = selectors.enabled_configurations()
        apps = [social_app(c) for c in configs]
        return [app for app in apps if not client_id or app.client_id == client_id]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Only a verified domain of the company whose IdP answered, only an admin of that company, never staff.

        Just-in-time: someone with an open invitation of the company is made its admin (user created without a
        password), and an admin who never used the IdP is connected on the first sign-in (by the e-mail the IdP
        asserts for a domain the company proved it owns).
        """
        if sociallogin.state.get("process") != "login":
            # Connecting an identity to the signed-in account is not offered: linking goes by verified domain.
            raise refuse(request, _("Single sign-on is not set up for this organisation."))
        config = selectors.configuration_for_provider(sociallogin.account.provider)
        email = (sociallogin.user.email or "").lower() if sociallogin.user else ""
        for address in sociallogin.email_addresses:
            if address.primary or not email:
                email = address.email.lower()
        if config is None:
            raise refuse(request, _("Single sign-on is not set up for this organisation."))
        if not email or not selectors.is_verified_domain_of(config, email):
            raise refuse(
                request,
                _(
                    "Your organisation's sign-in did not give an e-mail address of a domain it has verified with us. "
                    "Ask your IT department to send the e-mail claim."
                ),
            )
        # An employee signing in to their own subscription's pages (the employees app) is finished there.
        publish(IdentityAsserted(request=request, company=config.company, email=email))
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is not None and user.is_staff:
            raise refuse(
                request,
                _(
                    "The operator's staff sign in with a password and a second factor, "
                    "never through a customer's identity provider."
                ),
            )
        if user is None or not _has_membership(user, config):
            # Just-in-time: an open invitation of the company (or a subsidiary) for this address is accepted.
            user = _accept_invitation(request, config, email, user)
        if user is None:
            raise refuse(
                request,
                _(
                    "You signed in with your organisation, but %(email)s has no access to Self-service yet. "
                    "Ask one of your company's admins to invite you."
                )
                % {"email": email},
            )
        if sociallogin.is_existing:
            if sociallogin.user.pk != user.pk:
                raise refuse(request, _("This identity is linked to another account. Please contact us."))
        else:
            sociallogin.connect(request, user)
        # Several factors at an IdP the company trusts for them: the portal's own second factor is not asked on
        # top (sso.stages). Staff never get here (refused above), so they always keep the portal's own.
        sociallogin.state[IDP_MFA_STATE] = not user.is_staff and idp_asserted_mfa(sociallogin, config)

    def get_requests_session(self) -> Any:
        """allauth's requests to the IdPs (discovery, token, userinfo, keys): checked against SSRF (sso.safe_http)."""
        from sso.safe_http import SafeSession

        return SafeSession()

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        # "A third-party account was connected" would arrive on every first sign-in through the company's IdP.
        return None


def idp_asserted_mfa(sociallogin: SocialLogin, config: SsoConfiguration) -> bool:
    """The company trusts its IdP's two-factor, and the ID token or the SAML assertion reports it."""
    if not config.trust_idp_mfa:
        return False
    if config.is_saml:
        # Set by sso.saml.CompanySAMLProvider from the assertion's AuthnContextClassRef.
        contexts = getattr(sociallogin, "sso_authn_contexts", None) or []
        return mfa.contexts_are_mfa(contexts, config.mfa_context_values)
    return mfa.oidc_asserts_mfa(sociallogin.account.extra_data or {}, config.mfa_context_values)


class AccountAdapter(PortalAccountAdapter):
    """The portal's account adapter, with allauth's second-factor stage replaced by one that knows the IdP's."""

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Not within allauth's reauthentication window after a sign-in through the company's IdP: that sign-in is
        fresh, and an admin created just in time has no password to confirm (they could not set up TOTP)."""
        import time

        from allauth.account import app_settings
        from allauth.core import context

        from sso.signals import SIGNED_IN_AT_SESSION_KEY

        request = context.request
        signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY) if request is not None else None
        if isinstance(signed_in_at, float) and time.time() - signed_in_at < app_settings.REAUTHENTICATION_TIMEOUT:
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def get_login_stages(self) -> list[str]:
        return [
            "sso.stages.AuthenticateUnlessIdpMfaStage" if stage == "allauth.mfa.stages.AuthenticateStage" else stage
            for stage in super().get_login_stages()
        ]
