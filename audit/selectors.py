from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from audit.models import AuditEvent

if TYPE_CHECKING:
    from companies.models import Company

# Events of the company as a whole (sign-ins, admin access, company details): every admin sees these.
SHELL_PREFIXES = ("account", "membership", "company", "api_client")


def area_prefixes(area_key: str) -> set[str]:
    """The first parts of the audit actions an area writes: its key, or its key in the singular
    ("tickets" -> "ticket.created", "numbers" -> "numbers.port_created", "invoice" -> "invoice.issued")."""
    return {area_key, area_key.removesuffix("s")}


def visible_prefixes(area_keys: Iterable[str]) -> set[str]:
    prefixes = set(SHELL_PREFIXES)
    for key in area_keys:
        prefixes |= area_prefixes(key)
    return prefixes


def company_events(
    *, company: "Company | None", action_prefix: str = "", area_keys: Iterable[str] | None = None
) -> QuerySet[AuditEvent]:
    """The company's events; with ``area_keys``, only the shell's and those areas' (fails closed:
    an action of no known area is left out)."""
    events = AuditEvent.objects.for_company(company).select_related("actor")
    if area_keys is not None:
        allowed = Q(pk__in=[])
        for prefix in sorted(visible_prefixes(area_keys)):
            allowed |= Q(action__startswith=f"{prefix}.")
        events = events.filter(allowed)
    if action_prefix:
        events = events.filter(action__startswith=f"{action_prefix}.")
    return events.order_by("-created_at", "-id")
