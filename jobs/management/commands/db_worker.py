"""`manage.py db_worker` with leases: django-tasks-db's worker, plus a heartbeat and the reclaim of dead workers' tasks.

jobs comes before django_tasks_db in INSTALLED_APPS, so this command replaces the library's one of the
same name (same options). While a task runs, a thread refreshes its lease; at poll time every worker puts
tasks whose lease expired (TASK_LEASE_SECONDS) back in the queue, or marks them failed after
TASK_MAX_ATTEMPTS runs. Several workers may run side by side.
"""

import time

from django.db import close_old_connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from jobs import leases

logger = upstream.logger


class LeasedWorker(upstream.Worker):
    _last_reclaim = 0.0

    def reclaim_if_due(self) -> None:
        # Often enough to notice an expired lease soon after it expires, rarely enough to cost nothing.
        every = min(max(leases.lease_seconds() / 4, 0.2), 15.0)
        if time.monotonic() - self._last_reclaim < every:
            return
        self._last_reclaim = time.monotonic()
        try:
            leases.reclaim(self.backend_name)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise

    def run(self) -> None:
        """The upstream loop (django_tasks_db 0.x Worker.run) with the reclaim before each poll."""
        logger.info(
            "Starting worker worker_id=%s queues=%s lease=%ss",
            self.worker_id,
            ",".join(self.queue_names),
            leases.lease_seconds(),
        )
        if self.startup_delay and self.interval:
            time.sleep(upstream.random.random())
        while self.running:
            close_old_connections()
            self.reclaim_if_due()
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    retrieved_task_result = True
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                except OperationalError as e:
                    retrieved_task_result = False
                    if is_locked_database_exception(e):
                        task_result = None
                    else:
                        raise
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved_task_result and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return None
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks, self.worker_id
                )
                return None
            close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)
        return None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        leases.start(db_task_result, self.worker_id)
        with leases.Heartbeat(db_task_result.pk, self.worker_id):
            super().run_task(db_task_result)


class Command(upstream.Command):
    help = "Run a database background worker (with leases: tasks of a worker that died are run again)"

    def handle(self, *args: object, **options: object) -> None:
        # The upstream handle() builds upstream.Worker; swap in ours for the duration of the call.
        original = upstream.Worker
        upstream.Worker = LeasedWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)  # type: ignore[arg-type]
        finally:
            upstream.Worker = original  # type: ignore[misc]
