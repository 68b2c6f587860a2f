from django.db import models
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    """A worker's claim on a running task, kept alive by its heartbeat.

    django-tasks-db marks a task RUNNING and never looks at it again, so a task whose worker died
    would stay RUNNING for ever. The worker (`manage.py db_worker`, jobs' override) refreshes
    `heartbeat_at` while the task runs; any worker puts a task whose heartbeat is older than
    TASK_LEASE_SECONDS back in the queue, up to TASK_MAX_ATTEMPTS runs.
    """

    task = models.OneToOneField(DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="lease")
    worker_id = models.CharField(max_length=64)
    heartbeat_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)  # runs started, including the one now running
    reclaimed = models.PositiveIntegerField(default=0)  # times put back after its worker died
    reclaimed_at = models.DateTimeField(null=True, blank=True)
    retried = models.PositiveIntegerField(default=0)  # times staff queued it again after it failed
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.task.task_path} ({self.worker_id})"
