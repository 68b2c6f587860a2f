"""Scheduled call flows: a flow (a saved version, or a designer draft) that takes effect at a date and time.

``schedule_call_flow`` stores it and queues ``apply_scheduled_flow_change`` for that time (the jobs engine's
database backend keeps it across restarts); ``manage.py apply_flow_changes`` (cron, every minute) applies
whatever is due as the fallback. Either may run twice or late: the row is locked and its status checked, so a
change is applied once. Here rather than in ``actions`` because its task calls ``actions.save_call_flow``
(``actions`` imports the tasks it queues, so the tasks cannot import it back).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from jobs.queue import enqueue
from numbering import flows
from numbering.actions import company_subscription_ids, save_call_flow
from numbering.models import CallFlowVersion, ScheduledFlowChange


@task
def apply_scheduled_flow_change(change_id: int) -> str:
    """A scheduled call flow takes effect (queued to run at its time; idempotent, like the cron command)."""
    change = apply_scheduled_change(change_id)
    return change.status if change is not None else "missing"


@transaction.atomic
def schedule_call_flow(
    *,
    company: Company,
    document: dict[str, Any],
    at: datetime.datetime,
    by: Actor,
    comment: str = "",
    source: CallFlowVersion | None = None,
) -> ScheduledFlowChange:
    """A flow that takes effect at ``at`` (a durable task at that time; the cron command as the fallback)."""
    if source is not None and source.company_id != company.pk:
        raise ValidationError(_("This version is not your company's."), code="foreign_version")
    errors = flows.validate(document, subscription_ids=company_subscription_ids(company))
    if errors:
        raise ValidationError([ValidationError(e, code="invalid_call_flow") for e in errors])
    if at <= timezone.now():
        raise ValidationError(_("Choose a time in the future."), code="schedule_in_past")
    if at > timezone.now() + datetime.timedelta(days=400):
        raise ValidationError(_("Choose a time within a year."), code="schedule_too_far")
    change = ScheduledFlowChange.objects.create(
        company=company,
        document=document,
        source_version=source,
        comment=comment[:200],
        take_effect_at=at,
        created_by=by.user,
    )
    record(
        "numbers.flow_change_scheduled",
        by=by,
        company=company,
        target=change,
        details={"at": at.isoformat(), "version": source.version if source else None},
    )
    if apply_scheduled_flow_change.get_backend().supports_defer:
        enqueue(apply_scheduled_flow_change.using(run_after=at), change.pk)
    return change


@transaction.atomic
def cancel_scheduled_change(change: ScheduledFlowChange, *, by: Actor) -> ScheduledFlowChange:
    locked = ScheduledFlowChange.objects.select_for_update().get(pk=change.pk, company_id=change.company_id)
    if locked.status != ScheduledFlowChange.Status.PENDING:
        raise ValidationError(
            _("This change is “%(status)s” and can no longer be cancelled.") % {"status": locked.get_status_display()},
            code="not_pending",
        )
    locked.status = ScheduledFlowChange.Status.CANCELLED
    locked.save(update_fields=["status"])
    record("numbers.flow_change_cancelled", by=by, company=locked.company, target=locked)
    return locked


def apply_scheduled_change(change_id: int, *, now: datetime.datetime | None = None) -> ScheduledFlowChange | None:
    """Saves a due change as a new version, once: a second run (the task and the cron both, a retried task)
    finds it applied and does nothing. A flow no longer valid (a member's subscription ended) fails with why."""
    now = now or timezone.now()
    with transaction.atomic():
        change = (
            ScheduledFlowChange.objects.unscoped()
            # Only the change's own row: PostgreSQL cannot lock the nullable side of the outer join.
            .select_for_update(of=("self",))
            .select_related("company", "source_version")
            .filter(pk=change_id)
            .first()
        )
        if change is None or change.status != ScheduledFlowChange.Status.PENDING or change.take_effect_at > now:
            return change
        by = Actor.system("scheduled change")
        comment = change.comment or (
            _("Scheduled: version %(v)d") % {"v": change.source_version.version}
            if change.source_version
            else _("Scheduled change")
        )
        try:
            with transaction.atomic():
                version = save_call_flow(company=change.company, document=change.document, comment=comment, by=by)
        except ValidationError as exc:
            change.status = ScheduledFlowChange.Status.FAILED
            change.reason = "; ".join(exc.messages)[:500]
            change.applied_at = now
            change.save(update_fields=["status", "reason", "applied_at"])
            record("numbers.flow_change_failed", by=by, company=change.company, target=change)
            return change
        change.status = ScheduledFlowChange.Status.APPLIED
        change.result_version = version
        change.applied_at = now
        change.save(update_fields=["status", "result_version", "applied_at"])
        record(
            "numbers.flow_change_applied",
            by=by,
            company=change.company,
            target=change,
            details={"version": version.version},
        )
        return change


def apply_due_changes(*, now: datetime.datetime | None = None) -> int:
    """Every pending change whose time has come (the cron command's work; safe beside the tasks)."""
    now = now or timezone.now()
    due = ScheduledFlowChange.objects.unscoped().filter(
        status=ScheduledFlowChange.Status.PENDING, take_effect_at__lte=now
    )
    applied = 0
    for change_id in due.order_by("take_effect_at", "id").values_list("id", flat=True):
        change = apply_scheduled_change(change_id, now=now)
        applied += int(change is not None and change.status == ScheduledFlowChange.Status.APPLIED)
    return applied
