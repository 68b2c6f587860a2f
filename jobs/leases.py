"""Leases on running tasks: the heartbeat of a live worker and the reclaim of a dead one's tasks.

Used by `manage.py db_worker` (jobs' override of django-tasks-db's worker). A task is re-run only
when its worker stopped heart-beating for TASK_LEASE_SECONDS, so every task must be safe to run twice.
"""

import datetime as dt
import logging
import threading
import uuid

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from jobs.models import TaskLease

logger = logging.getLogger("jobs.worker")

WORKER_LOST = "jobs.leases.WorkerLost"


class WorkerLost(Exception):
    """The worker running the task stopped (killed, out of memory, machine lost)."""


def lease_seconds() -> float:
    return float(getattr(settings, "TASK_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return int(getattr(settings, "TASK_MAX_ATTEMPTS", 3))


def start(task: DBTaskResult, worker_id: str) -> TaskLease:
    """Records that `worker_id` runs `task` now (called right after the claim)."""
    with transaction.atomic():
        lease, created = TaskLease.objects.select_for_update().get_or_create(
            task=task, defaults={"worker_id": worker_id, "heartbeat_at": timezone.now(), "attempts": 1}
        )
        if not created:
            lease.worker_id = worker_id
            lease.heartbeat_at = timezone.now()
            lease.attempts += 1
            lease.save(update_fields=["worker_id", "heartbeat_at", "attempts"])
    return lease


def beat(task_id: uuid.UUID, worker_id: str) -> bool:
    """Refreshes the lease; False when another worker took the task over (this one was presumed dead)."""
    return bool(TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).update(heartbeat_at=timezone.now()))


class Heartbeat:
    """A thread that refreshes one task's lease every third of the lease time, on its own connection."""

    def __init__(self, task_id: uuid.UUID, worker_id: str, every: float | None = None) -> None:
        self.task_id, self.worker_id = task_id, worker_id
        self.every = every if every is not None else max(lease_seconds() / 3, 0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{task_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if not beat(self.task_id, self.worker_id):
                        logger.warning("Task id=%s was taken over by another worker", self.task_id)
                except OperationalError as error:
                    # SQLite (the demo) is locked while the task writes; elsewhere a database blip. Either way
                    # try again at the next beat: the lease has room for a few misses.
                    if not is_locked_database_exception(error):
                        logger.warning("Could not refresh the lease of task id=%s: %s", self.task_id, error)
                    close_old_connections()
        finally:
            connection.close()


def stale(backend_name: str, now: dt.datetime | None = None) -> "Q":
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=lease_seconds())
    # A worker that died between its claim and writing the lease left no lease: judge by started_at.
    return Q(backend_name=backend_name, status=TaskResultStatus.RUNNING) & (
        Q(lease__heartbeat_at__lt=cutoff) | Q(lease__isnull=True, started_at__lt=cutoff)
    )


def reclaim(backend_name: str = "default", now: dt.datetime | None = None) -> tuple[int, int]:
    """Puts RUNNING tasks whose lease expired back in the queue, or fails them after too many runs.

    Safe with several workers: each stale row is locked (skipping rows another worker is reclaiming).
    Returns (requeued, failed).
    """
    now = now or timezone.now()
    requeued = failed = 0
    with transaction.atomic():
        rows = list(
            DBTaskResult.objects.filter(stale(backend_name, now))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("started_at")[:100]
        )
        for row in rows:
            lease, _created = TaskLease.objects.get_or_create(
                task=row,
                defaults={
                    "worker_id": (row.worker_ids or [""])[-1][:64],
                    "heartbeat_at": row.started_at or now,
                    "attempts": 1,
                },
            )
            lease.reclaimed += 1
            lease.reclaimed_at = now
            if lease.attempts >= max_attempts():
                row.status = TaskResultStatus.FAILED
                row.finished_at = now
                row.exception_class_path = WORKER_LOST
                row.traceback = (
                    f"{WORKER_LOST}: the worker {lease.worker_id} stopped while running this task "
                    f"(attempt {lease.attempts} of {max_attempts()}); not retried again.\n"
                )
                row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                lease.note = f"Failed after {lease.attempts} runs whose worker stopped."
                failed += 1
                logger.error(
                    "Task id=%s (%s) failed: its worker stopped %s times", row.pk, row.task_path, lease.attempts
                )
            else:
                row.status = TaskResultStatus.READY
                row.save(update_fields=["status"])
                lease.note = f"Worker {lease.worker_id} stopped; queued again."
                requeued += 1
                logger.warning(
                    "Task id=%s (%s) queued again: worker %s stopped heart-beating",
                    row.pk,
                    row.task_path,
                    lease.worker_id,
                )
            lease.save(update_fields=["reclaimed", "reclaimed_at", "note"])
    return requeued, failed
