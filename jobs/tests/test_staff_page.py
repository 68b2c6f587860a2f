import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult, get_date_max

from audit.models import AuditEvent
from jobs.models import TaskLease

pytestmark = pytest.mark.django_db
URL = reverse("jobs:staff")


def _row(status: str, path: str = "invoicing.tasks.mark_overdue_task") -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=path,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        exception_class_path="jobs.leases.WorkerLost" if status == TaskResultStatus.FAILED else "",
    )


def test_staff_see_tasks_by_state_with_counts(personas, login):
    _row(TaskResultStatus.READY)
    running = _row(TaskResultStatus.RUNNING)
    TaskLease.objects.create(task=running, worker_id="w", heartbeat_at=running.enqueued_at, attempts=2, reclaimed=1)
    _row(TaskResultStatus.FAILED)
    client = login(personas.staff)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="count-all">3<' in html and 'data-testid="count-retried">1<' in html
    assert html.count('data-testid="task-row"') == 3 and html.count('data-testid="retry"') == 1
    failed = client.get(URL, {"show": "failed"}).content.decode()
    assert failed.count('data-testid="task-row"') == 1
    assert "Background tasks" in client.get(reverse("portal:overview")).content.decode()


def test_staff_retry_a_failed_task_audited(personas, login):
    row = _row(TaskResultStatus.FAILED)
    response = login(personas.staff).post(reverse("jobs:staff_retry", args=[row.pk]), {"next": URL + "?show=failed"})
    assert response.status_code == 302 and response["Location"] == URL + "?show=failed"
    row.refresh_from_db()
    assert (row.status, row.exception_class_path) == (TaskResultStatus.READY, "")
    assert TaskLease.objects.get(task=row).retried == 1
    event = AuditEvent.all_companies.get(action="task.retried")
    assert event.actor == personas.staff and event.details["error"] == "jobs.leases.WorkerLost"


def test_only_failed_tasks_can_be_retried(personas, login):
    row = _row(TaskResultStatus.SUCCESSFUL)
    response = login(personas.staff).post(reverse("jobs:staff_retry", args=[row.pk]), follow=True)
    assert "Only failed tasks can be retried." in response.content.decode()
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.SUCCESSFUL


def test_customers_do_not_see_the_page(personas, login):
    assert login(personas.admin_a).get(URL).status_code == 404
    assert (
        login(personas.admin_a).post(reverse("jobs:staff_retry", args=[_row(TaskResultStatus.FAILED).pk])).status_code
        == 404
    )
    assert "Background tasks" not in login(personas.admin_a).get(reverse("portal:overview")).content.decode()


def test_the_page_costs_the_same_queries_for_many_tasks(personas, login):
    client = login(personas.staff)
    _row(TaskResultStatus.FAILED)
    client.get(URL)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(30):
        row = _row(TaskResultStatus.FAILED)
        TaskLease.objects.create(task=row, worker_id="w", heartbeat_at=row.enqueued_at, attempts=3, reclaimed=2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(one)
