"""Asking the operator for access to an area ("Request access"): which areas an admin may ask for, and the
Access ticket that asks. Any admin of the company may ask, even one without the support tickets area."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import admins
from audit.actor import Actor
from companies.models import AccessRequest, Company, Membership
from companies.permissions import AreaPolicy
from registry.areas import registry
from tickets import actions
from tickets.models import Category, Ticket


def requestable_areas(policy: AreaPolicy) -> list[tuple[str, Any]]:
    """(key, title) of the areas the admin does not have full access to: those they can ask for."""
    return [(a.key, a.title) for a in registry.all() if not policy.can_change(a.key)]


def request_text(policy: AreaPolicy, area_key: str, message: str = "") -> tuple[str, str]:
    """The Access ticket's subject and description: full access when the admin can already read the area."""
    area = registry.get(area_key)
    if policy.can_view(area.key):
        lines = [_("Please give me full (not read-only) access to %(area)s.") % {"area": area.title}]
    else:
        lines = [_("Please give me access to %(area)s.") % {"area": area.title}]
    if message.strip():
        lines += ["", message.strip()]
    return _("Access to %(area)s") % {"area": area.title}, "\n".join(lines)


def request_access(
    *,
    company: Company,
    policy: AreaPolicy,
    area_key: str,
    message: str = "",
    submission_token: uuid.UUID | None = None,
    by: Actor,
) -> Ticket | AccessRequest:
    """Asks the company's main admins who can grant ``area_key`` (an ``AccessRequest``), or, when there are none,
    the operator with an Access ticket (a repeated submission returns the first one's ticket)."""
    if area_key not in dict(requestable_areas(policy)):
        raise ValidationError(_("You already have full access to every area."), code="access_already_granted")
    if isinstance(policy.membership, Membership):
        asked = admins.request_access(
            membership=policy.membership, area=area_key, full=policy.can_view(area_key), message=message, by=by
        )
        if asked is not None:
            return asked
    subject, description = request_text(policy, area_key, message)
    ticket, _created = actions.create_ticket(
        company=company,
        category=Category.ACCESS,
        subject=subject,
        description=description,
        submission_token=submission_token,
        by=by,
    )
    return ticket
