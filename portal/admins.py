"""The Admins page: a main admin manages the admins of the company and its subsidiaries, and sees why each has
the access they have. The rules live in ``accounts.admins``; these views bind forms and answer."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import admins as actions
from accounts import reviews
from accounts.models import AccessReviewRow
from audit import selectors as audit_selectors
from audit.actor import Actor
from common.forms import errors_to, errors_to_messages
from companies import selectors
from companies.http import PortalRequest, require_company
from companies.models import AccessRequest, Company, Invitation, Membership
from companies.permissions import AreaPolicy, main_admin_view, staff_view
from portal.admins_forms import AppointForm, GrantForm, InviteForm
from registry.areas import registry
from subscriptions import selectors as subscription_selectors


def _manager(request: PortalRequest) -> Membership:
    """The main-admin membership (the active company's, or its group's) that @main_admin_view found."""
    manager: Membership = request.managing_membership  # type: ignore[attr-defined]
    return manager


def _managed(request: PortalRequest) -> list[Company]:
    """The active company and its subsidiaries (a group's main admin on a subsidiary sees that subsidiary's)."""
    return selectors.company_and_subsidiaries(require_company(request))


def _membership(request: PortalRequest, membership_id: int) -> Membership:
    """One admin of a managed company; 404 alike for missing ids and other companies' admins."""
    membership: Membership = _one(
        Membership.objects.select_related("user", "company", "granted_by"), request, membership_id
    )
    return membership


def _one(queryset: Any, request: PortalRequest, pk: int) -> Any:
    found = queryset.filter(company__in=_managed(request), pk=pk).first()
    if found is None:
        raise Http404
    return found


def _lockout_warnings(companies: list[Company]) -> list[dict[str, Any]]:
    """Managed companies with fewer than two main admins (their own or their group's).

    ``companies`` is a company and its subsidiaries: the groups above the first one, then one query for the
    main admins of them all, counted per company along its parents in memory, so the cost does not grow with
    the number of subsidiaries."""
    counts = selectors.main_admins_covering_each(companies)
    return [{"company": company, "count": counts[company.pk]} for company in companies if counts[company.pk] < 2]


def companies_without_main_admin() -> list[Company]:
    """For the operator: companies nobody at the customer can manage (no main admin of theirs or their group's)."""
    companies = list(Company.objects.order_by("name"))
    with_main = set(
        Membership.objects.filter(is_main_admin=True, user__is_active=True).values_list("company_id", flat=True)
    )
    by_id = {c.pk: c for c in companies}

    def covered(company: Company) -> bool:
        seen: set[int] = set()
        current: Company | None = company
        while current is not None and current.pk not in seen:
            if current.pk in with_main:
                return True
            seen.add(current.pk)
            current = by_id.get(current.parent_id) if current.parent_id else None
        return False

    return [c for c in companies if not covered(c)]


@main_admin_view
def admin_list(request: PortalRequest) -> HttpResponse:
    companies = _managed(request)
    memberships = list(selectors.admins(companies))
    context = {
        "admin_memberships": memberships,
        "invitations": list(selectors.open_invitations(companies)),
        "requests": [r for m in memberships for r in getattr(m, "pending_requests", [])],
        "warnings": _lockout_warnings(companies),
        "several_companies": len(companies) > 1,
        "now": timezone.now(),
    }
    current = reviews.current_review(companies[0])
    context["review_due"] = current is None or current.completed_at is None
    return render(request, "portal/admins/list.html", context)


@main_admin_view
def review(request: PortalRequest) -> HttpResponse:
    """This quarter's access review of the active company. A GET only reads (cron's ``access_review_reminders``
    opens it when the quarter starts); the page's POST starts it now, and adds admins who joined since."""
    company = require_company(request)
    if request.method == "POST":
        reviews.open_review(company)
        return redirect("portal:admins_review")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    opened = reviews.current_review(company)
    rows = reviews.rows(opened) if opened is not None else []
    year, quarter = reviews.quarter_of(timezone.localdate())
    context = {
        "review": opened,
        "year": opened.year if opened else year,
        "quarter": opened.quarter if opened else quarter,
        "rows": rows,
        "decided": sum(1 for row in rows if row.is_decided),
        "several_companies": len({row.membership.company_id for row in rows if row.membership}) > 1,
    }
    return render(request, "portal/admins/review.html", context)


def _review_decision(request: PortalRequest, row_id: int, *, confirm: bool) -> HttpResponse:
    row: AccessReviewRow = _one(AccessReviewRow.objects.select_related("membership__user"), request, row_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        reviews.decide(manager=_manager(request), row=row, confirm=confirm, by=Actor.from_request(request))
        if confirm:
            messages.success(request, _("The access of %(email)s is confirmed.") % {"email": row.email})
        else:
            messages.success(request, _("%(email)s is no longer an admin.") % {"email": row.email})
    return redirect("portal:admins_review")


@main_admin_view
def review_confirm(request: PortalRequest, review_row_id: int) -> HttpResponse:
    return _review_decision(request, review_row_id, confirm=True)


@main_admin_view
def review_remove(request: PortalRequest, review_row_id: int) -> HttpResponse:
    return _review_decision(request, review_row_id, confirm=False)


@main_admin_view
def invite(request: PortalRequest) -> HttpResponse:
    manager = _manager(request)
    companies = _managed(request)
    form = InviteForm(
        request.POST or None,
        manager=manager,
        companies=companies,
        cost_centres=subscription_selectors.cost_centres_of(companies),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_to(form):
            actions.invite_admin(
                manager=manager,
                company=data["company"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                **form.grant(),
                is_main_admin=data["is_main_admin"],
                language=data["language"],
                by=Actor.from_request(request),
            )
            messages.success(request, _("We sent an invitation to %(email)s.") % {"email": data["email"]})
            return redirect("portal:admins")
    return render(request, "portal/admins/invite.html", {"form": form}, status=400 if form.errors else 200)


def explain(membership: Membership) -> list[dict[str, Any]]:
    """Per area: what the admin can do there (see and change, see only, nothing) and over which rows, as the
    one policy (companies.permissions.AreaPolicy) decides it."""
    policy = AreaPolicy(membership)
    limited = ", ".join(membership.cost_centres)
    rows = []
    for area in registry.all():
        level = policy.level(area.key)
        if level is None and membership.has_area(area.key):
            can = _("No access: it shows the whole company, and this access is limited to cost centres")
        elif level is None:
            can = _("No access")
        elif level == Membership.Access.READ_ONLY:
            can = _("Can see, cannot change (read only)")
        else:
            can = _("Can see and change (full access)")
        scope = ""
        if level is not None and limited:
            scope = _("only the subscriptions and invoice lines of the cost centres %(centres)s") % {"centres": limited}
        rows.append({"area": area, "can": can, "granted": level is not None, "level": level, "scope": scope})
    return rows


@main_admin_view
def admin_detail(request: PortalRequest, membership_id: int) -> HttpResponse:
    manager = _manager(request)
    membership = _membership(request, membership_id)
    initial = {"grant": membership, "is_main_admin": membership.is_main_admin}
    centres = subscription_selectors.cost_centres_of([membership.company])[membership.company_id]
    form = GrantForm(request.POST or None, manager=manager, initial=initial, cost_centres=centres)
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            actions.change_admin(
                manager=manager,
                membership=membership,
                **form.grant(),
                is_main_admin=form.cleaned_data["is_main_admin"],
                by=Actor.from_request(request),
            )
            messages.success(request, _("The access of %(email)s was saved.") % {"email": membership.user.email})
            return redirect("portal:admin_detail", membership_id=membership.pk)
    history = audit_selectors.company_events(company=membership.company).filter(
        target_type="companies.membership", target_id=str(membership.pk)
    )[:20]
    context = {
        "membership": membership,
        "form": form,
        "rows": explain(membership),
        "history": history,
        "covering": [m for m in selectors.main_admins_covering(membership.company) if m.pk != membership.pk],
        "subsidiaries": selectors.company_and_subsidiaries(membership.company)[1:] if membership.is_main_admin else [],
    }
    return render(request, "portal/admins/detail.html", context, status=400 if form.errors else 200)


@main_admin_view
def remove(request: PortalRequest, membership_id: int) -> HttpResponse:
    membership = _membership(request, membership_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        actions.remove_admin(manager=_manager(request), membership=membership, by=Actor.from_request(request))
        messages.success(request, _("%(email)s is no longer an admin.") % {"email": membership.user.email})
        return redirect("portal:admins")
    return redirect("portal:admin_detail", membership_id=membership.pk)


@main_admin_view
def resend(request: PortalRequest, invitation_id: int) -> HttpResponse:
    invitation: Invitation = _one(Invitation.objects.unscoped().select_related("company"), request, invitation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        actions.resend_invitation(manager=_manager(request), invitation=invitation, by=Actor.from_request(request))
        messages.success(
            request, _("We sent a new link to %(email)s; the old one no longer works.") % {"email": invitation.email}
        )
    return redirect("portal:admins")


@main_admin_view
def withdraw(request: PortalRequest, invitation_id: int) -> HttpResponse:
    invitation: Invitation = _one(Invitation.objects.unscoped().select_related("company"), request, invitation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        actions.withdraw_invitation(manager=_manager(request), invitation=invitation, by=Actor.from_request(request))
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("portal:admins")


def _decide(request: PortalRequest, access_request_id: int, *, approve: bool) -> HttpResponse:
    access_request: AccessRequest = _one(
        AccessRequest.objects.unscoped().select_related("membership__user"), request, access_request_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        actions.decide_access_request(
            manager=_manager(request), access_request=access_request, approve=approve, by=Actor.from_request(request)
        )
        email = access_request.membership.user.email
        if approve:
            messages.success(request, _("%(email)s now has the access they asked for.") % {"email": email})
        else:
            messages.success(request, _("The request from %(email)s was refused.") % {"email": email})
    return redirect("portal:admins")


@main_admin_view
def approve(request: PortalRequest, access_request_id: int) -> HttpResponse:
    return _decide(request, access_request_id, approve=True)


@main_admin_view
def refuse(request: PortalRequest, access_request_id: int) -> HttpResponse:
    return _decide(request, access_request_id, approve=False)


@staff_view
def staff_main_admins(request: PortalRequest) -> HttpResponse:
    """The operator's list of companies nobody at the customer can manage, and a way to any company's page."""
    wanted = request.GET.get("company", "")
    if wanted.isdigit() and Company.objects.filter(pk=int(wanted)).exists():
        return redirect("portal:staff_appoint", company_id=int(wanted))
    context = {"without": companies_without_main_admin(), "companies": Company.objects.order_by("name")}
    return render(request, "portal/admins/staff.html", context)


@staff_view
def staff_appoint(request: PortalRequest, company_id: int) -> HttpResponse:
    """The operator appoints a main admin of one company (locked out, say), with a reason; audited."""
    company = get_object_or_404(Company, pk=company_id)
    form = AppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_to(form):
            actions.appoint_main_admin(
                company=company, email=data["email"], reason=data["reason"], by=Actor.from_request(request)
            )
            messages.success(
                request,
                _("%(email)s is now main admin of %(company)s (or invited as one).")
                % {"email": data["email"], "company": company},
            )
            return redirect("portal:staff_appoint", company_id=company.pk)
    context = {"company": company, "form": form, "admin_memberships": list(selectors.admins([company]))}
    return render(request, "portal/admins/staff_appoint.html", context, status=400 if form.errors else 200)
