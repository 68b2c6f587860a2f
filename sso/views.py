from allauth.account.utils import get_next_redirect_url
from allauth.account.views import LoginView
from allauth.socialaccount.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from companies.http import require_company
from companies.models import Company
from companies.permissions import main_admin_view, staff_view
from sso import actions, selectors
from sso.forms import CompanySsoForm, DomainForm
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


def _company_config(request: HttpRequest) -> tuple[Company, SsoConfiguration | None, bool]:
    """The active company, the set-up that applies to it and whether it is its own (a subsidiary without one is
    covered by its group's, which the group's main admins change from the group)."""
    company = require_company(request)
    config = SsoConfiguration.objects.for_company(company).first()
    if config is None and company.parent is not None:
        group_config = SsoConfiguration.objects.for_company(company.parent).first()
        if group_config is not None:
            return company.parent, group_config, False
    return company, config, True


def _overview(request: HttpRequest, domain_form: DomainForm | None = None, status: int = 200) -> HttpResponse:
    company, config, own = _company_config(request)
    domains = list(SsoDomain.objects.for_company(company))
    verified = any(d.is_verified for d in domains)
    context = {
        "config": config,
        "domains": domains,
        "own": own,
        "domain_form": domain_form or DomainForm(),
        "can_test": own and config is not None and config.enabled and verified,
        "tested_by_me": config is not None and config.tested_at is not None and config.tested_by_id == request.user.pk,
        "verified": verified,
    }
    return render(request, "sso/overview.html", context, status=status)


@main_admin_view
def overview(request: HttpRequest) -> HttpResponse:
    """The company's single sign-on set-up, for its main admins: read it, and set it up themselves."""
    return _overview(request)


@main_admin_view
def settings(request: HttpRequest) -> HttpResponse:
    """The identity provider (OpenID Connect or SAML): the staff's form and action, for the company's own only."""
    company, config, own = _company_config(request)
    if not own:
        company, config = require_company(request), None  # a subsidiary's own, in place of its group's
    instance = config or SsoConfiguration(company=company)
    if request.method == "POST":
        form = CompanySsoForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                actions.configure(
                    company,
                    **form.settings(),
                    required=False,
                    by=Actor.from_request(request),
                    by_company_admin=True,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The identity provider is saved. Test the sign-in next."))
                return redirect("sso:overview")
    elif request.method == "GET":
        form = CompanySsoForm(instance=instance)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "sso/settings.html", {"form": form, "config": config})


@main_admin_view
@require_POST
def add_domain(request: HttpRequest) -> HttpResponse:
    company, _config, own = _company_config(request)
    form = DomainForm(request.POST)
    if not own or not form.is_valid():
        return _overview(request, form, status=200 if own else 403)
    try:
        claimed = actions.claim_domain(company, form.cleaned_data["domain"], by=Actor.from_request(request))
    except ValidationError as error:
        form.add_error("domain", error)
        return _overview(request, form)
    messages.success(
        request,
        _("%(domain)s is added. Publish the TXT record below in its DNS, then choose Check now.")
        % {"domain": claimed.domain},
    )
    return redirect("sso:overview")


def _posted_domain(request: HttpRequest, company: Company) -> SsoDomain | None:
    """The company's domain the form names; None when it names none. Another company's id is not found (404),
    like any foreign id."""
    domain_id = str(request.POST.get("domain", ""))
    if not domain_id.isdigit():
        return None
    return get_object_or_404(SsoDomain.objects.for_company(company), pk=int(domain_id))


@main_admin_view
@require_POST
def check_domain(request: HttpRequest) -> HttpResponse:
    company, _config, _own = _company_config(request)
    claimed = _posted_domain(request, company)
    if claimed is None:
        messages.error(request, _("Choose a domain to check."))
        return redirect("sso:overview")
    _report_check(request, claimed)
    return redirect("sso:overview")


@main_admin_view
@require_POST
def remove_domain(request: HttpRequest) -> HttpResponse:
    company, _config, own = _company_config(request)
    claimed = _posted_domain(request, company)
    if claimed is None:
        messages.error(request, _("Choose a domain to remove."))
        return redirect("sso:overview")
    if not own:  # the group's domains are changed from the group
        return _overview(request, status=403)
    try:
        actions.remove_domain(claimed, by=Actor.from_request(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(domain)s is removed.") % {"domain": claimed.domain})
    return redirect("sso:overview")


@main_admin_view
@require_POST
def test_sign_in(request: HttpRequest) -> HttpResponse:
    """Sends the main admin through the company's identity provider; coming back signed in is the test
    (``sso.signals`` records it), which "Require single sign-on" waits for."""
    company, config, own = _company_config(request)
    if not own or config is None or not config.enabled:
        messages.error(request, _("Set up the identity provider first."))
        return redirect("sso:overview")
    if not SsoDomain.objects.for_company(company).filter(verified_at__isnull=False).exists():
        messages.error(
            request, _("Verify at least one of your domains first (publish the TXT record, then Check now).")
        )
        return redirect("sso:overview")
    provider = get_adapter(request).get_provider(request, config.provider_id)
    response = provider.redirect(
        request,
        "login",
        next_url=reverse("sso:overview"),
        auth_params={"login_hint": str(getattr(request.user, "email", ""))},
    )
    return render(request, "sso/redirect.html", {"url": response["Location"]})


@main_admin_view
@require_POST
def set_required(request: HttpRequest) -> HttpResponse:
    _company, config, own = _company_config(request)
    if not own or config is None:
        messages.error(request, _("Set up the identity provider first."))
        return redirect("sso:overview")
    required = request.POST.get("required") == "on"
    try:
        actions.set_required(config, required=required, by=Actor.from_request(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if required:
            messages.success(request, _("Single sign-on is now required for your verified domains."))
        else:
            messages.success(request, _("Single sign-on is no longer required: passwords work again."))
    return redirect("sso:overview")


def _report_check(request: HttpRequest, claimed: SsoDomain) -> None:
    if actions.check_domain(claimed, by=Actor.from_request(request)):
        messages.success(request, _("%(domain)s is verified.") % {"domain": claimed.domain})
    else:
        messages.warning(
            request,
            _("%(domain)s: the TXT record %(record)s was not found.")
            % {"domain": claimed.domain, "record": claimed.txt_record},
        )


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
    else:
        _report_check(request, claimed)
    return redirect("sso:staff")
