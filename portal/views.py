from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from companies.middleware import SESSION_KEY
from companies.permissions import AreaPolicy
from portal import overview as kept_sections
from registry.areas import registry
from registry.overview import sections


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    membership = getattr(request, "membership", None)
    policy = AreaPolicy(membership)
    visible = [s for s in sections() if policy.can_view(s.area_key)]
    rendered = [kept_sections.section(request, s) for s in visible]  # kept until their data changes
    return render(
        request,
        "portal/overview.html",
        {
            "granted": [a for a in registry.all() if policy.can_view(a.key)],
            "missing": [a for a in registry.all() if not policy.can_view(a.key)],
            "sections": rendered,
        },
    )


@login_required
@require_POST
def switch_company(request: HttpRequest) -> HttpResponse:
    try:
        company_id = int(request.POST.get("company", ""))
    except ValueError:
        company_id = 0
    # Only a company the user is admin of; anything else keeps the current one.
    if any(m.company_id == company_id for m in getattr(request, "memberships", [])):
        request.session[SESSION_KEY] = company_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect("portal:overview")
    # A page about one object (a ticket, a subscription) belongs to the previous
    # company; list pages exist in every company, so stay on those.
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return redirect("portal:overview")
    if match.kwargs:
        return redirect("portal:overview")
    return redirect(target)


def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
