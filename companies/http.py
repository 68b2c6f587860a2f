from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest

__all__ = ["PortalRequest", "active_company", "require_company"]

if TYPE_CHECKING:
    from accounts.models import User
    from companies.models import Company, Membership


class PortalRequest(HttpRequest):
    """What the middleware puts on every request (for type checking)."""

    user: "User"
    membership: "Membership | None"
    memberships: "list[Membership]"

    @property
    def company(self) -> "Company | None": ...


def active_company(request: HttpRequest) -> "Company | None":
    membership = getattr(request, "membership", None)
    return membership.company if membership is not None else None


def require_company(request: HttpRequest) -> "Company":
    """The active company of a view guarded by ``@area_view``/``@company_view``.

    The decorators guarantee one, so this never fails there; it narrows the type
    (``Company``, not ``Company | None``) and answers 404 if used elsewhere by mistake.
    """
    company = active_company(request)
    if company is None:
        raise Http404
    return company
