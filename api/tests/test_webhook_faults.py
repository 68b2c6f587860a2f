"""A worker killed with SIGKILL in the middle of a webhook POST: another worker delivers the event, and
the receiver, deduplicating by event id, takes it once.

PostgreSQL only (the worker is a real ``manage.py db_worker`` on the test database, as in
jobs/tests/test_fault_recovery.py). The kill point is certain: the receiver holds the first POST open
without answering, so the worker is inside ``http.client`` waiting for the answer when it is killed.
"""

import time

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from api.delivery import WORKER_LOST
from api.models import WebhookAttempt, WebhookDelivery
from api.tests.factories import make_hub
from api.tests.receiver import Receiver, verify
from audit.actor import Actor
from jobs.models import TaskLease
from jobs.tests.test_fault_recovery import Workers, kill, wait_for
from subscriptions import actions
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process must share the test database: PostgreSQL only",
    ),
]


@pytest.fixture
def workers(tmp_path, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setenv("WEBHOOK_ALLOW_LOCAL", "true")
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "1")
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


@pytest.fixture
def receiver():
    server = Receiver(hold=True).start()
    yield server
    server.stop()


def test_a_worker_killed_mid_delivery_the_event_arrives_once(workers, receiver):
    sub = SubscriptionFactory()
    _hub, secret = make_hub(sub.company, callback=receiver.url, query="eventType=ProductStateChangeEvent")
    actions.suspend(sub, reason="On leave", by=Actor.system("fault test"))  # commits the event and its task
    delivery = WebhookDelivery.all_companies.get()

    first = workers.start("A")
    assert receiver.held.wait(60), "the worker never posted"
    killed_at = kill(first)  # inside the POST: the receiver has the request and has not answered
    receiver.release()
    assert WebhookDelivery.all_companies.get(pk=delivery.pk).status == "pending"

    second = workers.start("B")
    delivered_at = wait_for(
        lambda: WebhookDelivery.all_companies.get(pk=delivery.pk).status == "delivered", "the delivery", process=second
    )
    print(f"\nwebhook delivered {delivered_at - killed_at:.1f} s after the kill")

    assert len(receiver.requests) == 2, "posted again after the kill"
    assert receiver.distinct_events() == {str(delivery.event.event_id)}, "one event for the receiver"
    assert all(verify(secret, r.headers, r.body) for r in receiver.requests)
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.status_code, a.error) for a in attempts] == [(None, WORKER_LOST), (200, "")]
    task = DBTaskResult.objects.get(task_path="api.tasks.deliver_webhook")
    assert task.status == TaskResultStatus.SUCCESSFUL
    lease = TaskLease.objects.get(task_id=task.id)
    assert (lease.attempts, lease.reclaimed) == (2, 1)
    time.sleep(1)
    assert len(receiver.requests) == 2, "nothing sent after the delivery"
