import datetime as dt

import pytest
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from jobs import leases
from jobs.management.commands.db_worker import LeasedWorker
from jobs.models import TaskLease

pytestmark = pytest.mark.django_db


@task
def add(a: int, b: int) -> int:
    return a + b


def _row(status: str = TaskResultStatus.RUNNING, started: dt.datetime | None = None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=f"{__name__}.add",
        args_kwargs={"args": [1, 2], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        started_at=started,
        worker_ids=["dead-worker"],
    )


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # The worker closes connections that are not in autocommit: in a test (one transaction) that is the test's.
    monkeypatch.setattr("jobs.management.commands.db_worker.close_old_connections", lambda: None)


def _worker() -> LeasedWorker:
    return LeasedWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )


def test_the_worker_runs_a_task_under_a_lease():
    row = _row(TaskResultStatus.READY)
    _worker().run()
    row.refresh_from_db()
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 3)
    lease = TaskLease.objects.get(task=row)
    assert (lease.worker_id, lease.attempts, lease.reclaimed) == ("w1", 1, 0)


def test_a_live_lease_is_left_alone(settings):
    settings.TASK_LEASE_SECONDS = 60
    row = _row(started=timezone.now() - dt.timedelta(minutes=10))
    TaskLease.objects.create(task=row, worker_id="alive", heartbeat_at=timezone.now(), attempts=1)
    assert leases.reclaim() == (0, 0)
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.RUNNING


def test_the_task_of_a_dead_worker_is_queued_again_and_run(settings):
    settings.TASK_LEASE_SECONDS = 60
    row = _row(started=timezone.now() - dt.timedelta(minutes=10))
    TaskLease.objects.create(
        task=row, worker_id="dead-worker", heartbeat_at=timezone.now() - dt.timedelta(seconds=61), attempts=1
    )
    assert leases.reclaim() == (1, 0)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    _worker().run()
    row.refresh_from_db()
    lease = TaskLease.objects.get(task=row)
    assert (row.status, lease.attempts, lease.reclaimed, lease.worker_id) == (TaskResultStatus.SUCCESSFUL, 2, 1, "w1")


def test_a_worker_that_died_before_writing_its_lease_is_noticed(settings):
    settings.TASK_LEASE_SECONDS = 60
    row = _row(started=timezone.now() - dt.timedelta(seconds=61))
    assert leases.reclaim() == (1, 0)
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.READY
    assert TaskLease.objects.get(task=row).reclaimed == 1


def test_after_the_last_attempt_the_task_fails_with_a_reason(settings):
    settings.TASK_LEASE_SECONDS, settings.TASK_MAX_ATTEMPTS = 60, 3
    row = _row(started=timezone.now() - dt.timedelta(minutes=10))
    TaskLease.objects.create(
        task=row, worker_id="dead-worker", heartbeat_at=timezone.now() - dt.timedelta(minutes=5), attempts=3
    )
    assert leases.reclaim() == (0, 1)
    row.refresh_from_db()
    assert (row.status, row.exception_class_path) == (TaskResultStatus.FAILED, leases.WORKER_LOST)
    assert "attempt 3 of 3" in row.traceback


def test_the_heartbeat_refreshes_only_its_own_lease():
    row = _row(started=timezone.now())
    old = timezone.now() - dt.timedelta(minutes=1)
    TaskLease.objects.create(task=row, worker_id="w1", heartbeat_at=old, attempts=1)
    assert leases.beat(row.pk, "w2") is False
    assert leases.beat(row.pk, "w1") is True
    assert TaskLease.objects.get(task=row).heartbeat_at > old
