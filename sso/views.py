from allauth.account.utils import get_next_redirect_url
from allauth.account.views import LoginView
from allauth.socialaccount.adapter import get_adapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.actor import Actor
from companies.http import require_company
from companies.permissions import main_admin_view, staff_view
from sso import actions, selectors
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


@staff_view
def staff_overview(request: HttpRequest) -> HttpResponse:
    """The operator's back office: every company's identity provider and its domains' verification, with
    "Check now" for a domain (the set-up itself is changed in Django admin, where the secret is entered)."""
    if request.method == "POST":
        return _staff_check_domain(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "sso/staff.html", {"rows": selectors.staff_overview()})


def _staff_check_domain(request: HttpRequest) -> HttpResponse:
    domain_id = str(request.POST.get("domain", ""))
    claimed = get_object_or_404(SsoDomain.objects.unscoped(), pk=int(domain_id)) if domain_id.isdigit() else None
    if claimed is None:
        messages.error(request, _("Choose a domain to check."))
    elif actions.check_domain(claimed, by=Actor.from_request(request)):
        messages.success(request, _("%(domain)s is verified.") % {"domain": claimed.domain})
    else:
        messages.warning(
            request,
            _("%(domain)s: the TXT record %(record)s was not found.")
            % {"domain": claimed.domain, "record": claimed.txt_record},
        )
    return redirect("sso:staff")
