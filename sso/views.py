from allauth.account.utils import get_next_redirect_url
from allauth.account.views import LoginView
from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from companies.http import require_company
from companies.permissions import main_admin_view
from sso.models import SsoConfiguration, SsoDomain
from sso.selectors import configuration_for_email

_password_login = LoginView.as_view()


def login(request: HttpRequest) -> HttpResponse:
    """allauth's sign-in page, except that an address of a verified SSO domain goes to its company's IdP.

    The staff keep their password and second factor: their addresses never go to a customer's IdP.
    """
    if request.method == "POST" and not request.user.is_authenticated:
        email = str(request.POST.get("login", "")).strip()
        config = configuration_for_email(email) if "@" in email else None
        if config is not None:
            from django.contrib.auth import get_user_model

            if not get_user_model().objects.filter(email__iexact=email, is_staff=True).exists():
                # python3-saml builds its URLs from the Host header; an HTTP/1.0 client may send none.
                request.META.setdefault("HTTP_HOST", request.get_host())
                provider = get_adapter(request).get_provider(request, config.provider_id)
                next_url = get_next_redirect_url(request)  # checked against the allowed hosts
                redirect = provider.redirect(request, "login", next_url=next_url, auth_params={"login_hint": email})
                # Not a 302: the page's CSP (form-action 'self') stops a form post redirected to another site.
                # A page that moves on by itself is a new navigation, which the policy allows.
                return render(request, "sso/redirect.html", {"url": redirect["Location"]})
    return _password_login(request)


def saml_finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's SAML assertion consumer (second half), with what it lets through as a 500 refused as a 400.

    python3-saml raises lxml's XML errors (and ValueError on undecodable input) for an answer that is not XML at
    all; allauth catches only base64 and python3-saml's own errors.
    """
    from allauth.socialaccount.providers.saml.views import finish_acs
    from lxml import etree

    try:
        return finish_acs(request, organization_slug=organization_slug)
    except (etree.LxmlError, ValueError):
        message = _("Your organisation's sign-in sent an answer we could not read. Please sign in again.")
        return render(request, "sso/refused.html", {"message": message}, status=400)


@main_admin_view
def overview(request: HttpRequest) -> HttpResponse:
    """The company's single sign-on set-up, for its main admins to read (the operator's staff change it).

    A subsidiary without its own shows its group's: the group's verified domains cover it.
    """
    company = require_company(request)
    config = SsoConfiguration.objects.for_company(company).first()
    if config is None and company.parent is not None:
        company = company.parent
        config = SsoConfiguration.objects.for_company(company).first()
    domains = list(SsoDomain.objects.for_company(company))
    return render(request, "sso/overview.html", {"config": config, "domains": domains})
