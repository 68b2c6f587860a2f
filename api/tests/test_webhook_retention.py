"""Webhook history older than WEBHOOK_RETENTION_DAYS is removed in batches; newer or still waiting stays."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from api.retention import cutoff, prune_webhook_history
from api.tasks import prune_webhook_history_task
from api.tests.factories import make_delivery, make_hub

pytestmark = pytest.mark.django_db


def _aged(delivery, days):
    when = timezone.now() - datetime.timedelta(days=days)
    WebhookEvent.all_companies.filter(pk=delivery.event_id).update(created_at=when)
    WebhookDelivery.all_companies.filter(pk=delivery.pk).update(created_at=when)
    WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=when, finished_at=when, status_code=200)
    return delivery


def test_the_command_removes_what_is_older_than_30_days_in_batches(personas):
    hub_a, hub_b = make_hub(personas.company_a)[0], make_hub(personas.company_b)[0]
    old = [
        _aged(make_delivery(company, hub=hub, status="delivered"), 31)
        for company, hub in [(personas.company_a, hub_a), (personas.company_b, hub_b)] * 3
    ]
    recent = _aged(make_delivery(personas.company_a, hub=hub_a, status="delivered"), 29)
    waiting = _aged(make_delivery(personas.company_a, hub=hub_a, status="pending"), 40)
    out, err = io.StringIO(), io.StringIO()
    call_command("prune_webhook_history", "--batch-size=4", stdout=out, stderr=err)
    assert "Removed 6 webhook events, 6 deliveries and 6 tries" in out.getvalue()
    assert set(WebhookDelivery.all_companies.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert set(WebhookEvent.all_companies.values_list("pk", flat=True)) == {recent.event_id, waiting.event_id}
    assert not WebhookAttempt.objects.filter(delivery_id__in=[d.pk for d in old]).exists()
    assert WebhookAttempt.objects.count() == 2
    call_command("prune_webhook_history", stdout=out, stderr=err)  # again: nothing more
    assert WebhookEvent.all_companies.count() == 2


def test_it_runs_in_batches_of_the_given_size(personas):
    hub = make_hub(personas.company_a)[0]
    for _ in range(5):
        _aged(make_delivery(personas.company_a, hub=hub), 60)
    seen = []
    pruned = prune_webhook_history(before=cutoff(), batch_size=2, on_batch=lambda p: seen.append(p.events))
    assert (pruned.events, seen) == (5, [2, 4, 5])


def test_the_retention_is_a_setting_and_a_task(personas, settings):
    settings.WEBHOOK_RETENTION_DAYS = 7
    hub = make_hub(personas.company_a)[0]
    _aged(make_delivery(personas.company_a, hub=hub), 8)
    kept = _aged(make_delivery(personas.company_a, hub=hub), 6)
    assert prune_webhook_history_task.call() == 1
    assert list(WebhookDelivery.all_companies.values_list("pk", flat=True)) == [kept.pk]
