import datetime as dt

import pytest
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.tasks import send_outbox_task, wake

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_it_queues_one_sender_however_often_it_is_woken(database_tasks):
    for _ in range(3):
        wake()
    assert DBTaskResult.objects.filter(task_path=send_outbox_task.module_path).count() == 1


def test_it_re_arms_itself_for_the_next_retry(database_tasks, settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "invoicing.tests.conftest.FailingEmailBackend"},
    }
    send_mail("Hej", "Tekst", None, ["a@alfa.dk"])
    send_outbox_task.call()
    [waiting] = DBTaskResult.objects.filter(task_path=send_outbox_task.module_path, status="READY")
    assert timezone.now() < waiting.run_after <= timezone.now() + dt.timedelta(minutes=2)
