from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from companies.models import Membership

SESSION_KEY = "active_company_id"


class ActiveMembershipMiddleware:
    """Loads the signed-in user's memberships and picks the active one.

    One query per request whatever the number of companies, and always fresh:
    a membership that staff delete stops working on the very next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(Membership.objects.filter(user=user).select_related("company").order_by("company__name"))
            wanted = request.session.get(SESSION_KEY)
            active = next((m for m in memberships if m.company_id == wanted), None)
            if active is None and memberships:
                active = memberships[0]
                request.session[SESSION_KEY] = active.company_id
            request.membership = active  # type: ignore[attr-defined]
            request.memberships = memberships  # type: ignore[attr-defined]
        return self.get_response(request)
