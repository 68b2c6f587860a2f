from typing import TYPE_CHECKING, Any

from django.db import models
from django.dispatch import Signal

from audit.actor import Actor
from audit.models import AuditEvent

if TYPE_CHECKING:
    from companies.models import Company


# Sent by ``bulk_record`` with ``company_ids``, the companies whose events it wrote.
bulk_recorded = Signal()


def record(
    action: str,
    *,
    by: Actor,
    company: "Company | None",
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Writes one audit event; call it inside the action's transaction."""
    return AuditEvent.objects.create(
        company=company,
        actor=by.user,
        actor_label=by.display,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        details=details or {},
        ip_address=by.ip_address,
    )


def bulk_record(events: list[AuditEvent]) -> None:
    """For bulk actions: one event per changed object, written in one statement."""
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    # bulk_create sends no post_save: say which companies' events were written (the overview's kept sections).
    bulk_recorded.send(sender=AuditEvent, company_ids={event.company_id for event in events})
