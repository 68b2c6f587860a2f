"""Reads for the staff page of background tasks: fixed query counts (one for the counts, one per page)."""

from django.db.models import Count, Q, QuerySet
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# The page's tabs: key -> filter. "retried" are tasks run again after their worker died or a staff retry.
FILTERS: dict[str, Q] = {
    "queued": Q(status=TaskResultStatus.READY),
    "running": Q(status=TaskResultStatus.RUNNING),
    "failed": Q(status=TaskResultStatus.FAILED),
    "retried": Q(lease__reclaimed__gt=0) | Q(lease__retried__gt=0),
    "successful": Q(status=TaskResultStatus.SUCCESSFUL),
}


def task_counts() -> dict[str, int]:
    return DBTaskResult.objects.aggregate(
        all=Count("pk"), **{key: Count("pk", filter=condition) for key, condition in FILTERS.items()}
    )


def tasks(show: str = "") -> QuerySet[DBTaskResult]:
    queryset = DBTaskResult.objects.select_related("lease").order_by("-enqueued_at", "pk")
    if show in FILTERS:
        queryset = queryset.filter(FILTERS[show])
    return queryset.defer("return_value")
