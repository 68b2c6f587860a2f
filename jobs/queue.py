"""Queue background work as part of the transaction that causes it.

With the database task backend the task row is written in the caller's transaction, so it
commits (or rolls back) together with the change: a crash after the commit cannot lose it,
and a rollback cannot leave a task for a change that never happened (a transactional outbox).
Other backends (Immediate in tests) run on commit instead, which keeps the same meaning.
"""

from typing import Any

from django.db import transaction
from django.tasks import Task, TaskResult
from django_tasks_db.backend import DatabaseBackend


def enqueue(task: Task, *args: Any, **kwargs: Any) -> TaskResult | None:
    """Queue `task` inside the current transaction (database backend) or on commit (others).

    Returns the TaskResult when it was written now, None when deferred to the commit.
    `task` may be a `task.using(run_after=..., queue_name=...)` variant.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    return None
