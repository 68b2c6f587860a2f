"""One policy for area permissions, used by views, menu, templates and API."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from companies.models import Membership
from companies.selectors import main_admins_covering
from registry.areas import registry
from registry.scoping import LIMIT_ATTR

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AreaPolicy:
    """What a grant (a membership, or an API client) allows, area by area: the one place that decides.

    An area is granted full or read-only (``Membership.level``). A grant limited to cost centres reaches only
    the areas that scope their rows by cost centre (``Area.cost_centre_scoped``); its rows are cut to those
    cost centres by the company object the request carries (``apply_limits``, registry.scoping).
    """

    def __init__(self, membership: Any) -> None:
        self.membership = membership

    @property
    def is_limited(self) -> bool:
        return bool(getattr(self.membership, "cost_centres", None))

    def why_not(self, key: str) -> str | None:
        """None when the area may be seen, else the reason for the 403 page."""
        if self.membership is None:
            return "no_company"
        if not self.membership.has_area(key):
            return "no_grant"
        if self.is_limited and not _cost_centre_scoped(key):
            return "cost_centre_limited"
        return None

    def can_view(self, key: str) -> bool:
        return self.why_not(key) is None

    def can_change(self, key: str) -> bool:
        return self.can_view(key) and self.membership.can_change_area(key)

    def level(self, key: str) -> str | None:
        """``"full"``, ``"read_only"`` or None, as this policy allows it."""
        if not self.can_view(key):
            return None
        return Membership.Access.FULL if self.can_change(key) else Membership.Access.READ_ONLY


def _cost_centre_scoped(key: str) -> bool:
    try:
        return registry.get(key).cost_centre_scoped
    except KeyError:
        return False


def apply_limits(membership: Membership) -> None:
    """Marks the membership's company object with the membership's cost-centre limit (none: the whole company).

    Every read of cost-centre-owned rows through that object (``Subscription.objects.for_company(company)``,
    ``filter(company=company)``, the counters, the invoice sections) then answers only those cost centres,
    so a view cannot forget the limit: it fails closed."""
    limit = tuple(membership.cost_centres) if membership.cost_centres else None
    setattr(membership.company, LIMIT_ATTR, limit)


def cost_centre_limit(request: HttpRequest) -> tuple[str, ...] | None:
    """The active membership's cost centres, or None for the whole company."""
    membership = getattr(request, "membership", None)
    return tuple(membership.cost_centres) if membership is not None and membership.cost_centres else None


def forbidden(request: HttpRequest, *, area_key: str | None, reason: str) -> HttpResponse:
    area = registry.get(area_key) if area_key else None
    context: dict[str, Any] = {"area": area, "reason": reason}
    if area is not None and reason in ("no_grant", "read_only") and not cost_centre_limit(request):
        # A pre-filled access request, which any admin of the company may send (the app that takes them
        # registers its page; without one the page says to contact us).
        context["access_request_url"] = registry.access_request_url(area)
        membership = getattr(request, "membership", None)
        if membership is not None:
            # Who at the company could grant it (the request goes to them first; to us when there is nobody).
            context["main_admins"] = [
                m for m in main_admins_covering(membership.company) if m.user_id != membership.user_id
            ]
    return render(request, "portal/forbidden.html", context, status=403)


def area_view(key: str, *, read_only_may_post: bool = False, whole_company: bool = False) -> Callable[..., Any]:
    """Guards a view of an area: signed in, an active company, and a grant.

    Requests that change something (not GET/HEAD) also need full access to the area,
    unless the view says a read-only admin may post (e.g. revealing a PIN).
    ``whole_company``: the view shows (or changes) the whole company (an invoice's PDF, eInvoice settings), so
    an admin limited to cost centres is refused with an explanation.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            policy = AreaPolicy(getattr(request, "membership", None))
            reason = policy.why_not(key)
            if reason is None and whole_company and policy.is_limited:
                reason = "cost_centre_limited"
            if reason is not None:
                return forbidden(request, area_key=key, reason=reason)
            if request.method not in SAFE_METHODS and not read_only_may_post and not policy.can_change(key):
                return forbidden(request, area_key=key, reason="read_only")
            return view(request, *args, **kwargs)

        wrapped.area_key = key  # type: ignore[attr-defined]
        wrapped.read_only_may_post = read_only_may_post  # type: ignore[attr-defined]
        wrapped.whole_company = whole_company  # type: ignore[attr-defined]
        return wrapped

    return decorator


def company_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the active company outside any area (overview, audit trail)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "membership", None) is None:
            return forbidden(request, area_key=None, reason="no_company")
        return view(request, *args, **kwargs)

    return wrapped


def whole_company_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the active company that shows (or changes) the whole company outside the cost-centre-scoped
    areas (the activity log, API clients): an admin limited to cost centres is refused with an explanation."""

    @company_view
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if AreaPolicy(getattr(request, "membership", None)).is_limited:
            return forbidden(request, area_key=None, reason="cost_centre_limited")
        return view(request, *args, **kwargs)

    wrapped.whole_company = True  # type: ignore[attr-defined]
    return wrapped


def staff_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The operator's staff pages (cross-company on purpose).

    Anonymous visitors go to the portal's sign-in (with ``next``); signed-in customers
    and inactive accounts get a plain 404, so the staff pages neither exist nor leak ids for them.
    """

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.staff_only = True  # type: ignore[attr-defined]
    return wrapped


def managing_membership(request: HttpRequest) -> Membership | None:
    """The membership through which the signed-in user manages the active company's admins: the active one if
    it is a main admin, else a main-admin membership of a group above it (from the memberships the middleware
    loaded, so no query). None: they do not manage its admins."""
    membership: Membership | None = getattr(request, "membership", None)
    by_company = {m.company_id: m for m in getattr(request, "memberships", [])}
    seen: set[int] = set()
    while membership is not None and membership.company_id not in seen:
        if membership.is_main_admin:
            return membership
        seen.add(membership.company_id)
        parent_id = membership.company.parent_id
        membership = by_company.get(parent_id) if parent_id is not None else None
    return None


def main_admin_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for the active company's main admins, or its groups' (managing admins).

    Others get the 403 page for the list pages; an admin's, an invitation's or a request's own page does not
    exist for them (404, as for ids of companies the main admin does not manage).
    """

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if membership is None:
            return forbidden(request, area_key=None, reason="no_company")
        manager = managing_membership(request)
        if manager is None:
            if kwargs:
                raise Http404
            return forbidden(request, area_key=None, reason="not_main_admin")
        request.managing_membership = manager  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    wrapped.main_admin_only = True  # type: ignore[attr-defined]
    return wrapped
