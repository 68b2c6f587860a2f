"""The employee's pages (``/employee/``, namespace ``employees``) and the admins' request pages
(``/employee-requests/``, namespace ``employee_requests``, the Subscriptions area)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from audit.client_ip import client_ip
from common.forms import errors_to
from companies.http import require_company
from companies.middleware import SESSION_KEY as ACTIVE_COMPANY_KEY
from companies.permissions import area_view
from employees import actions, selectors, session
from employees import sso as employee_sso
from employees.forms import DecisionForm, HardwareRequestForm, RequestForm, SignInForm
from employees.models import EmployeeRequest
from guardrails import selectors as guardrail_selectors
from products import actions as products_actions
from products import selectors as products_selectors
from registry.rules import rules_for
from registry.scoping import get_for_company
from sso.selectors import configuration_for_email
from subscriptions.actions import reveal_secrets
from subscriptions.models import Subscription

# -- signing in (public) ---------------------------------------------------------------------------


def sign_in(request: HttpRequest) -> HttpResponse:
    """The address, then always the same answer: the page never tells whether an address is on a subscription.

    A domain whose company requires single sign-on goes to its identity provider instead (that depends on the
    domain only, which the company published in its DNS).
    """
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        config = configuration_for_email(email)
        if config is not None and config.required:
            return employee_sso.start(request, config, email)
        actions.request_sign_in(email=email, language=translation.get_language() or "da", ip_address=client_ip(request))
        return render(request, "employees/sign_in_sent.html", {"email": email})
    return render(request, "employees/sign_in.html", {"form": form}, status=400 if form.errors else 200)


sign_in.public = True  # type: ignore[attr-defined]


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: the GET only shows a button (a mail scanner that follows it spends nothing)."""
    link = actions.link_for_token(token)
    state = actions.link_state(link)
    if state != "open":
        return render(request, "employees/confirm.html", {"state": state}, status=404 if state == "invalid" else 410)
    if request.method == "POST":
        try:
            email = actions.use_sign_in_link(token=token, ip_address=client_ip(request))
        except ValidationError:
            return render(request, "employees/confirm.html", {"state": "used"}, status=410)
        session.sign_in(request, email)
        return redirect("employees:index")
    return render(request, "employees/confirm.html", {"state": "open"})


confirm.public = True  # type: ignore[attr-defined]


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.sign_out(request)
    messages.info(request, _("You are signed out."))
    return redirect("employees:sign_in")


sign_out.public = True  # type: ignore[attr-defined]


# -- the employee's own pages ----------------------------------------------------------------------


@session.employee_view
def index(request: HttpRequest) -> HttpResponse:
    email: str = request.employee_email  # type: ignore[attr-defined]
    subs = selectors.my_subscriptions(email)
    if len(subs) == 1:
        return redirect("employees:subscription", subscription_id=subs[0].pk)
    return render(request, "employees/index.html", {"subscriptions": subs, "employee_email": email})


def _detail_context(request: HttpRequest, sub: Subscription, **extra: object) -> dict[str, object]:
    email: str = request.employee_email  # type: ignore[attr-defined]
    subs = [sub]
    return {
        "sub": sub,
        "employee_email": email,
        "usage": selectors.month_to_date(subs)[sub.pk],
        "month_start": selectors.first_of_month(),
        "rules": rules_for(subs)[sub.pk],
        "requests": [(r, actions.describe(r)) for r in selectors.my_requests(subs, email=email)],
        "hardware_orders": list(products_selectors.employee_orders(subscription_ids=[sub.pk], email=email)[:20]),
        "several": selectors.has_several(email),
        "guardrails": guardrail_selectors.employee_note(sub),
        **extra,
    }


@session.employee_view
def subscription(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = selectors.my_subscription(request.employee_email, subscription_id)  # type: ignore[attr-defined]
    return render(request, "employees/subscription.html", _detail_context(request, sub))


@session.employee_view
def reveal(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """PIN and PUK on request only: subscriptions' own reveal (audited, rate-limited), the employee as actor."""
    email: str = request.employee_email  # type: ignore[attr-defined]
    sub = selectors.my_subscription(email, subscription_id)
    if request.method != "POST":
        return redirect("employees:subscription", subscription_id=sub.pk)
    try:
        secrets = reveal_secrets(sub, by=actions.employee_actor(email, client_ip(request)))
    except ValidationError as error:
        secrets = {"error": error.messages[0]}
    template = (
        "employees/subscription.html#secrets" if getattr(request, "htmx", False) else "employees/subscription.html"
    )
    response = render(request, template, _detail_context(request, sub, secrets=secrets))
    response["Cache-Control"] = "no-store, private"
    return response


@session.employee_view
def ask(request: HttpRequest, subscription_id: int) -> HttpResponse:
    email: str = request.employee_email  # type: ignore[attr-defined]
    sub = selectors.my_subscription(email, subscription_id)
    initial = {"kind": request.GET.get("kind", EmployeeRequest.Kind.UPGRADE)}
    form = RequestForm(request.POST if request.method == "POST" else None, sub=sub, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_to(form):
            actions.make_request(
                sub=sub,
                kind=data["kind"],
                product=data.get("product"),
                ship_to=data.get("ship_to", ""),
                message=data.get("message", ""),
                email=email,
                language=translation.get_language() or "da",
                by=actions.employee_actor(email, client_ip(request)),
            )
            messages.success(
                request, _("Your request was sent to your company's admins. You get an e-mail when they answer.")
            )
            return redirect("employees:subscription", subscription_id=sub.pk)
    context = {"sub": sub, "form": form, "employee_email": email}
    return render(request, "employees/ask.html", context, status=400 if form.errors else 200)


@session.employee_view
def hardware(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Order a phone or accessory: the kinds the company allows, one item, always approved by an admin."""
    email: str = request.employee_email  # type: ignore[attr-defined]
    sub = selectors.my_subscription(email, subscription_id)
    allowed = products_actions.employee_kinds(products_actions.settings_for(sub.company))
    catalogue = products_selectors.catalogue().filter(kind__in=allowed)
    form = HardwareRequestForm(
        request.POST if request.method == "POST" else None,
        items=catalogue.filter(stock__gt=0),
        initial={"deliver_to": "company" if sub.company.street else "own"},
    )
    if request.method == "POST" and sub.is_open and allowed and form.is_valid():
        data = form.cleaned_data
        with errors_to(form):
            order = actions.request_hardware(
                sub=sub,
                item_id=data["item"].pk,
                deliver_to=data["deliver_to"],
                street=data.get("street", ""),
                postcode=data.get("postcode", ""),
                city=data.get("city", ""),
                reason=data["reason"],
                email=email,
                language=translation.get_language() or "da",
                by=actions.employee_actor(email, client_ip(request)),
            )
            messages.success(
                request,
                _("Your request %(order)s was sent to your company's admins. You get an e-mail when they answer.")
                % {"order": order.reference},
            )
            return redirect("employees:hardware", subscription_id=sub.pk)
    elif request.method == "POST" and not (sub.is_open and allowed):
        form.add_error(None, _("Your company does not let employees ask for hardware here."))
    context = {
        "sub": sub,
        "form": form,
        "employee_email": email,
        "items": list(catalogue) if sub.is_open else [],
        "allowed": allowed,
        "orders": list(products_selectors.employee_orders(subscription_ids=[sub.pk], email=email)[:20]),
    }
    return render(request, "employees/hardware.html", context, status=400 if form.errors else 200)


# -- the admins' pages (Subscriptions area) --------------------------------------------------------


@area_view("subscriptions")
def requests_list(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    rows = [(r, actions.describe(r)) for r in selectors.company_requests(company)[:200]]
    return render(request, "employees/requests.html", {"rows": rows})


def _in_the_links_company(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The e-mail's link names the request's company (``?company=<id>``): an admin of several companies (a group)
    is switched to it first, as with the company switcher, but only to a company they are an admin of already;
    the area's permission and the company scoping then apply as always."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wanted = request.GET.get("company", "")
        if wanted.isdigit() and request.method == "GET":
            memberships = getattr(request, "memberships", [])
            if any(m.company_id == int(wanted) for m in memberships):
                request.session[ACTIVE_COMPANY_KEY] = int(wanted)
                return redirect(request.path)
        return view(request, *args, **kwargs)

    return wrapped


@_in_the_links_company
@area_view("subscriptions")
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """The confirm page the admins' e-mail links to: Approve / Refuse, each one POST."""
    company = require_company(request)
    req = get_for_company(selectors.company_requests(company), company, pk=request_id)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        with errors_to(form):
            actions.decide_request(req=req, approve=approve, by=Actor.from_request(request))
            messages.success(
                request,
                _("Approved: the change is made and the employee is told.")
                if approve
                else _("Refused: the employee is told."),
            )
            return redirect("employee_requests:list")
    context = {"req": req, "what": actions.describe(req), "form": form}
    return render(request, "employees/request_detail.html", context, status=400 if form.errors else 200)
