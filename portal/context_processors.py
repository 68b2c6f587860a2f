from typing import Any

from django.http import HttpRequest

from companies.permissions import AreaPolicy, managing_membership
from registry.areas import registry, staff_pages


def shell(request: HttpRequest) -> dict[str, Any]:
    """The top menu: areas granted in the active company and the switcher.

    Built from what the middleware already loaded, so it costs no query.
    """
    membership = getattr(request, "membership", None)
    policy = AreaPolicy(membership)
    return {
        "active_membership": membership,
        "active_company": membership.company if membership else None,
        "memberships": getattr(request, "memberships", []),
        "menu_areas": [area for area in registry.all() if policy.can_view(area.key)],
        "quick_actions": [
            action for area in registry.all() if policy.can_change(area.key) for action in area.quick_actions
        ],
        "policy": policy,
        "manages_admins": managing_membership(request) is not None,
        "staff_areas": [area for area in registry.all() if area.staff_url_name] if _is_staff(request) else [],
        "staff_pages": staff_pages() if _is_staff(request) else [],
    }


def _is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)
