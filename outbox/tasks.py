"""The sender as a task: woken after each commit that queued mail, and re-armed for the next retry.

Cron's `manage.py send_outbox` every minute does the same job without a worker; both may run at once
(rows are claimed with skip_locked).
"""

import datetime as dt

from django.db.models import Min, Q
from django.tasks import task
from django.utils import timezone


def _task_waiting(*, by: dt.datetime) -> bool:
    """Whether a send_outbox_task is already queued to start by then (database backend only)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(send_outbox_task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=by),
        task_path=send_outbox_task.module_path,
        status="READY",
    ).exists()


def wake(*, at: dt.datetime | None = None) -> None:
    """Queue the sender (now, or for the next retry), unless one is already waiting."""
    if _task_waiting(by=at or timezone.now()):
        return
    if at is not None and send_outbox_task.get_backend().supports_defer:
        send_outbox_task.using(run_after=at).enqueue()
    elif at is None:
        send_outbox_task.enqueue()


@task
def send_outbox_task() -> int:
    from outbox.models import OutboxMessage
    from outbox.sender import send_due

    sent = send_due().sent
    next_due = OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).aggregate(at=Min("next_attempt_at"))[
        "at"
    ]
    if next_due is not None:
        wake(at=next_due if next_due > timezone.now() else None)  # more than one run's worth: go on now
    return sent
