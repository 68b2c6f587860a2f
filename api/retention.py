"""Webhook history is kept for ``WEBHOOK_RETENTION_DAYS`` (30): older events go, with their deliveries and tries.

Across companies (the operator's housekeeping), in batches of ``batch_size`` events, each batch its own
transaction, so a run on a large table never holds long locks and a run that is stopped keeps what it did.
An event with a delivery still waiting (e.g. redelivered, or retrying) stays until it is delivered or given up.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent

BATCH_SIZE = 1000


@dataclass
class Pruned:
    events: int = 0
    deliveries: int = 0
    attempts: int = 0


def cutoff(days: int | None = None) -> datetime.datetime:
    keep = int(getattr(settings, "WEBHOOK_RETENTION_DAYS", 30)) if days is None else days
    return timezone.now() - datetime.timedelta(days=keep)


def prunable(before: datetime.datetime) -> models.QuerySet[WebhookEvent]:
    waiting = WebhookDelivery.objects.unscoped().filter(event=OuterRef("pk"), status=WebhookDelivery.Status.PENDING)
    return WebhookEvent.objects.unscoped().filter(created_at__lt=before).exclude(Exists(waiting))


def prune_webhook_history(
    *, before: datetime.datetime, batch_size: int = BATCH_SIZE, on_batch: Callable[[Pruned], None] | None = None
) -> Pruned:
    """Removes the events created before ``before`` (and their deliveries and attempts); returns the counts."""
    pruned = Pruned()
    while True:
        with transaction.atomic():
            ids = list(prunable(before).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return pruned
            # Their deliveries and attempts go with them (CASCADE; no signals, so the collector deletes fast).
            _total, per_model = WebhookEvent.objects.unscoped().filter(pk__in=ids).delete()
        pruned.events += per_model.get(WebhookEvent._meta.label, 0)
        pruned.deliveries += per_model.get(WebhookDelivery._meta.label, 0)
        pruned.attempts += per_model.get(WebhookAttempt._meta.label, 0)
        if on_batch is not None:
            on_batch(pruned)
