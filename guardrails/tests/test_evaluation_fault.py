"""A worker killed (SIGKILL) in the middle of a guardrail evaluation: the re-run sends each warning exactly once.

PostgreSQL only, like ``jobs/tests/test_fault_recovery.py`` (whose worker pool it uses): the worker is a real
``manage.py db_worker`` process on the test database, and the kill point is made deterministic with a row lock
(the test holds the evaluation's row, which each chunk locks first, so the worker is inside a chunk's
transaction when it is killed)."""

import collections
import time

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from audit.actor import Actor
from companies.tests.factories import CompanyFactory, MembershipFactory
from guardrails import actions
from guardrails.models import Evaluation, Notice
from guardrails.tests.helpers import HEADER, today_at
from invoicing.actions import import_usage
from jobs.models import TaskLease
from jobs.tests.test_fault_recovery import LEASE, kill, wait_for, workers  # noqa: F401 (a fixture)
from outbox.models import OutboxMessage
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process must share the test database and its row locks: PostgreSQL only",
    ),
]

LINES = 40
CHUNK = 5


def test_a_worker_killed_mid_evaluation_leaves_each_warning_sent_exactly_once(settings, workers, monkeypatch):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setenv("GUARDRAILS_EVALUATION_CHUNK", str(CHUNK))
    company = CompanyFactory(name="Fejl ApS")
    MembershipFactory(company=company, user__email="admin@fejl.dk")
    actions.save_policy(company=company, scope="company", data={"spend_cap": 10000}, by=Actor.system("test"))
    Evaluation.all_companies.all().delete()
    DBTaskResult.objects.all().delete()
    subs = [
        SubscriptionFactory(company=company, phone_number=f"+45201230{n:02d}", email=f"u{n}@fejl.dk")
        for n in range(LINES)
    ]
    rows = "".join(f"f{sub.pk},{sub.phone_number},{today_at()},voice,60,8500,\n" for sub in subs)
    import_usage(text=HEADER + rows, filename="fault.csv", by=Actor.system("test"))
    evaluation = Evaluation.all_companies.get()
    task = DBTaskResult.objects.get(task_path="guardrails.tasks.evaluate_usage")

    first = workers.start("A")
    wait_for(lambda: Notice.all_companies.count() >= 2 * CHUNK, "the first two chunks", process=first)
    with transaction.atomic():
        # The worker now waits for this row at the start of its next chunk's transaction: kill it there.
        Evaluation.all_companies.select_for_update().get(pk=evaluation.pk)
        time.sleep(0.3)
        killed_at = kill(first)
    warned_before = Notice.all_companies.count()
    assert 2 * CHUNK <= warned_before < LINES, "killed in the middle of the evaluation"
    assert warned_before % CHUNK == 0, "whole chunks or nothing"
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.RUNNING

    second = workers.start("B")
    done_at = wait_for(
        lambda: Evaluation.all_companies.filter(pk=evaluation.pk, status=Evaluation.Status.DONE).exists(),
        "the evaluation to finish",
        process=second,
    )
    notices = collections.Counter(Notice.all_companies.values_list("subscription_id", "threshold"))
    assert notices == collections.Counter({(sub.pk, 80): 1 for sub in subs}), "each warning exactly once"
    mails = collections.Counter(tuple(to) for to in OutboxMessage.objects.values_list("to", flat=True))
    assert mails == collections.Counter({**{(f"u{n}@fejl.dk",): 1 for n in range(LINES)}, ("admin@fejl.dk",): LINES})
    lease = TaskLease.objects.get(task=task)
    assert (lease.attempts, lease.reclaimed, lease.worker_id) == (2, 1, "B")
    print(
        f"\nevaluation killed after {warned_before}/{LINES} warnings (chunks of {CHUNK}); lease {LEASE} s: "
        f"all warnings after {done_at - killed_at:.1f} s"
    )
