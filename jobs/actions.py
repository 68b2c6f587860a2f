"""Writes of background work: a staff retry of a failed task (audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from audit.actor import Actor
from audit.events import record
from jobs.models import TaskLease


@transaction.atomic
def retry_task(*, task_id: str, by: Actor) -> DBTaskResult:
    """Queues a failed task again, with a fresh count of attempts; its result is overwritten when it runs."""
    row = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
    if row is None:
        raise ValidationError(_("This task no longer exists."))
    if row.status != TaskResultStatus.FAILED:
        raise ValidationError(_("Only failed tasks can be retried."))
    error = row.exception_class_path
    row.status = TaskResultStatus.READY
    row.finished_at = None
    row.exception_class_path = ""
    row.traceback = ""
    row.return_value = None
    row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
    lease, _created = TaskLease.objects.select_for_update().get_or_create(
        task=row, defaults={"worker_id": "", "heartbeat_at": timezone.now()}
    )
    lease.attempts = 0
    lease.retried += 1
    lease.note = f"Retried by {by.display}."[:300]
    lease.save(update_fields=["attempts", "retried", "note"])
    record(
        "task.retried",
        by=by,
        company=None,
        target=row,
        details={"task": row.task_path, "error": error, "retries": lease.retried},
    )
    return row
