from django.db.models import QuerySet

from audit.models import AuditEvent
from companies.models import Company


def company_events(*, company: Company | None, action_prefix: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.for_company(company).select_related("actor")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-created_at", "-id")
