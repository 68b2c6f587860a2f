"""The guardrails pages: a company's rules (Subscriptions area), a line's timeline, and the e-mail links."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actor import Actor
from audit.client_ip import client_ip
from common.forms import errors_to, errors_to_messages
from companies.http import require_company
from companies.permissions import area_view
from guardrails import actions, notify, rules, selectors
from guardrails.forms import CostCentreForm, PolicyForm, RaiseForm
from guardrails.models import Policy, RaiseRequest
from registry.scoping import get_for_company
from subscriptions.models import Subscription

AREA = "subscriptions"
SOURCE_LABELS = {
    "user": gettext_lazy("this user's rule"),
    "cost_centre": gettext_lazy("the cost centre's rule"),
    "company": gettext_lazy("the rule for everyone"),
    "eu_rule": gettext_lazy("the EU rule"),
}


def _policy_page(
    request: HttpRequest, *, scope: str, policy: Policy | None, sub: Subscription | None = None, cost_centre: str = ""
) -> HttpResponse:
    company = require_company(request)
    form = PolicyForm(request.POST or None, scope=scope, initial=PolicyForm.initial_for(policy))
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            actions.save_policy(
                company=company,
                scope=scope,
                cost_centre=policy.cost_centre if policy else cost_centre,
                subscription=sub,
                data=form.policy_data(),
                by=Actor.from_request(request),
            )
            messages.success(request, _("The rules were saved."))
            if sub is not None:
                return redirect("guardrails:timeline", subscription_id=sub.pk)
            return redirect("guardrails:index")
    context = {
        "form": form,
        "row": policy,
        "cost_centre": policy.cost_centre if policy else cost_centre,
        "scope": scope,
        "sub": sub,
        "eu_cap": rules.eu_cap_ore(),
        "eu_rate": actions_rate(),
    }
    return render(request, "guardrails/policy.html", context, status=400 if form.errors else 200)


def actions_rate() -> int:
    return rules.eu_cap_ore() // rules.EU_CAP_EUR


@area_view(AREA, whole_company=True)
def index(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = CostCentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = " ".join(form.cleaned_data["cost_centre"].split())
        existing = Policy.objects.for_company(company).filter(scope=Policy.Scope.COST_CENTRE, cost_centre=name).first()
        if existing:
            return redirect("guardrails:policy", policy_id=existing.pk)
        return redirect(reverse("guardrails:new_cost_centre") + "?" + urlencode({"name": name}))
    context = {
        "policies": selectors.policies(company),
        "pending": selectors.pending_raises(company),
        "form": form,
        "eu_cap": rules.eu_cap_ore(),
        "eu_rate": actions_rate(),
        "sms": notify.SMS_CHANNEL,
    }
    return render(request, "guardrails/index.html", context, status=400 if form.errors else 200)


@area_view(AREA, whole_company=True)
def everyone(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    policy = Policy.objects.for_company(company).filter(scope=Policy.Scope.COMPANY).first()
    return _policy_page(request, scope=Policy.Scope.COMPANY, policy=policy)


@area_view(AREA, whole_company=True)
def new_cost_centre(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    name = " ".join(request.GET.get("name", "").split())[:40]
    if not name:
        return redirect("guardrails:index")
    existing = Policy.objects.for_company(company).filter(scope=Policy.Scope.COST_CENTRE, cost_centre=name).first()
    if existing:
        return redirect("guardrails:policy", policy_id=existing.pk)
    return _policy_page(request, scope=Policy.Scope.COST_CENTRE, policy=None, cost_centre=name)


@area_view(AREA, whole_company=True)
def policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    company = require_company(request)
    row = get_for_company(Policy.objects.select_related("subscription"), company, pk=policy_id)
    return _policy_page(request, scope=row.scope, policy=row, sub=row.subscription)


@area_view(AREA, whole_company=True)
def delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    company = require_company(request)
    row = get_for_company(Policy.objects.all(), company, pk=policy_id)
    if request.method != "POST":
        return redirect("guardrails:policy", policy_id=row.pk)
    with errors_to_messages(request):
        actions.delete_policy(row, by=Actor.from_request(request))
        messages.success(request, _("The rules were removed; the level above applies."))
    return redirect("guardrails:index")


def _line(request: HttpRequest, subscription_id: int) -> Subscription:
    company = require_company(request)
    return get_for_company(Subscription.objects.select_related("product"), company, pk=subscription_id)


@area_view(AREA)
def user_rules(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _line(request, subscription_id)
    policy = Policy.objects.for_company(sub.company).filter(scope=Policy.Scope.USER, subscription=sub).first()
    return _policy_page(request, scope=Policy.Scope.USER, policy=policy, sub=sub)


@area_view(AREA)
def timeline(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _line(request, subscription_id)
    month = actions.this_month()
    limits = actions.limits_for(sub.company, [sub.pk], month).get(sub.pk, {})
    context = {
        "sub": sub,
        "entries": selectors.timeline(sub),
        "bars": selectors.active_bars(sub),
        "limits": [
            {
                "label": notify.metric_label(m),
                "limit": notify.amount_text(m, limit.limit) if limit.limit else _("switched off"),
                "source_label": SOURCE_LABELS.get(limit.source, limit.source),
            }
            for m, limit in sorted(limits.items())
        ],
    }
    return render(request, "guardrails/timeline.html", context)


# -- the e-mail links: no sign-in, GET shows, POST acts (mail scanners only GET) ---------------------


def _ask_target(token: str) -> tuple[Subscription, dt.date, str] | None:
    try:
        data = signing.loads(token, salt=notify.ASK_SALT, max_age=40 * 24 * 3600)
        sub = Subscription.objects.unscoped().select_related("company", "product").get(pk=int(data["s"]))
        return sub, dt.date.fromisoformat(data["m"]), str(data["k"])
    except (signing.BadSignature, KeyError, ValueError, TypeError, Subscription.DoesNotExist):
        return None


def ask(request: HttpRequest, token: str) -> HttpResponse:
    """The warning's link: the employee asks for a temporary raise (the hook for emp16's employee view is
    ``actions.request_raise``; this page needs no sign-in, the signed link names the line)."""
    target = _ask_target(token)
    if target is None:
        return render(request, "guardrails/ask.html", {"state": "invalid"}, status=404)
    sub, month, metric = target
    if month != actions.this_month():
        return render(request, "guardrails/ask.html", {"state": "expired", "sub": sub}, status=410)
    metrics = [(metric, notify.metric_label(metric))]
    form = RaiseForm(request.POST or None, metrics=metrics, initial={"metric": metric})
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            actions.request_raise(
                subscription=sub,
                metric=form.cleaned_data["metric"],
                amount=form.amount_in_units(),
                reason=form.cleaned_data["reason"],
                by=Actor(user=None, ip_address=client_ip(request), label=sub.email or sub.user_name),
            )
            return render(request, "guardrails/ask.html", {"state": "sent", "sub": sub})
    context = {"state": "open", "sub": sub, "form": form, "rule": notify.metric_label(metric)}
    return render(request, "guardrails/ask.html", context, status=400 if form.errors else 200)


ask.public = True  # type: ignore[attr-defined]


@area_view(AREA)
def raise_requests(request: HttpRequest) -> HttpResponse:
    """The raise requests waiting, in the portal (as from the e-mail): the whole company's, or a cost-centre-
    limited admin's lines only; Approve and Refuse for admins with full access."""
    company = require_company(request)
    page = Paginator(selectors.raise_requests_waiting(company), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"row": row, "rule": notify.metric_label(row.metric), "amount": notify.amount_text(row.metric, row.amount)}
        for row in page
    ]
    return render(request, "guardrails/requests.html", {"page": page, "rows": rows})


@area_view(AREA)
def decide_in_portal(request: HttpRequest, raise_request_id: int) -> HttpResponse:
    """Approve or Refuse from the portal's list: the same action as the e-mail's confirm page, audited as the
    signed-in admin. A line outside a limited admin's cost centres answers 404, as a foreign id."""
    company = require_company(request)
    row = get_for_company(RaiseRequest.objects.select_related("subscription", "company"), company, pk=raise_request_id)
    membership = request.membership  # type: ignore[attr-defined]
    if not membership.may_change_line(AREA, row.subscription.cost_centre):
        raise Http404
    if request.method != "POST":  # after the lookup: a foreign id answers 404 to any method
        return HttpResponseNotAllowed(["POST"])
    choice = request.POST.get("decision")
    if choice not in ("approve", "refuse"):
        messages.error(request, _("Choose Approve or Refuse."))
        return redirect("guardrails:requests")
    with errors_to_messages(request):
        actions.decide_raise(row, approve=choice == "approve", by=Actor.from_request(request))
        done = _("Approved: %(user)s gets %(amount)s more of %(rule)s until the month ends.")
        if choice == "refuse":
            done = _("Refused: %(user)s was told.")
        facts = {
            "user": row.subscription,
            "amount": notify.amount_text(row.metric, row.amount),
            "rule": notify.metric_label(row.metric),
        }
        messages.success(request, done % facts)
    return redirect("guardrails:requests")


def _decide_target(token: str) -> tuple[RaiseRequest, object] | None:
    from companies.models import Membership

    try:
        data = signing.loads(token, salt=notify.DECIDE_SALT, max_age=notify.DECIDE_MAX_AGE)
        row = RaiseRequest.objects.unscoped().select_related("subscription", "company").get(pk=int(data["r"]))
        membership = Membership.objects.select_related("user").get(company_id=row.company_id, user_id=int(data["u"]))
    except (signing.BadSignature, KeyError, ValueError, TypeError, RaiseRequest.DoesNotExist, Membership.DoesNotExist):
        return None
    if not (membership.user.is_active and membership.may_change_line(AREA, row.subscription.cost_centre)):
        return None
    return row, membership


def decide(request: HttpRequest, token: str) -> HttpResponse:
    """The raise request's link to an admin: GET shows the request with Approve and Refuse; the POST decides,
    once, as that admin (audited with their name)."""
    target = _decide_target(token)
    if target is None:
        return render(request, "guardrails/decide.html", {"state": "invalid"}, status=404)
    row, membership = target
    context: dict[str, object] = {
        "state": "open" if row.status == RaiseRequest.Status.PENDING else "done",
        "request_row": row,
        "rule": notify.metric_label(row.metric),
        "amount": notify.amount_text(row.metric, row.amount),
    }
    if request.method == "POST" and row.status == RaiseRequest.Status.PENDING:
        choice = request.POST.get("decision")
        if choice not in ("approve", "refuse"):
            return render(request, "guardrails/decide.html", context, status=400)
        by = Actor(user=membership.user, ip_address=client_ip(request))  # type: ignore[attr-defined]
        with errors_to_messages(request):
            row = actions.decide_raise(row, approve=choice == "approve", by=by)
        row.refresh_from_db()
        context.update({"state": "done", "request_row": row})
    return render(request, "guardrails/decide.html", context)


decide.public = True  # type: ignore[attr-defined]
