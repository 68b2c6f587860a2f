"""Posts one webhook delivery: claim it, POST the signed event, record the attempt, retry or give up.

Runs as the task ``api.tasks.deliver_webhook`` (django-tasks-db with the ``jobs`` leases), so a worker
killed mid-POST has its task run again by another worker. The POST may then reach the receiver twice;
every POST of one event carries the same ``X-Event-Id`` (and ``eventId`` in the body), by which the
receiver drops the second. Nothing else is ever done twice: the delivery row decides, under its lock.
"""

import datetime
import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery
from api.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Target,
    resolve_callback,
    signatures,
    signing_secrets,
)
from jobs.queue import enqueue
from subscriptions.crypto import UndecryptableSecret

MAX_DELAY = datetime.timedelta(hours=1)
USER_AGENT = "Selfservice-Webhooks/1.0"
WORKER_LOST = "The worker stopped during this attempt; it was tried again."


def retry_delay(tries: int) -> datetime.timedelta:
    """Exponential backoff after the ``tries``-th failed try: base, 2 x base, 4 x base, … at most an hour."""
    base = int(getattr(settings, "WEBHOOK_RETRY_SECONDS", 30))
    return min(datetime.timedelta(seconds=base * 2 ** max(tries - 1, 0)), MAX_DELAY)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the callback's host name (SNI), as for any https request.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(callback: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """One POST; never follows redirects, never raises for the network."""
    started = time.monotonic()

    def outcome(status_code: int | None, error: str = "") -> Outcome:
        return Outcome(status_code, error[:500], int((time.monotonic() - started) * 1000))

    try:
        target = resolve_callback(callback)
    except ValidationError as exc:
        return outcome(None, "Refused: " + " ".join(exc.messages))
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return outcome(response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}")
    except TimeoutError:
        return outcome(None, f"No answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def _claim(delivery_id: int) -> tuple[WebhookDelivery, WebhookAttempt] | None:
    with transaction.atomic():
        # The task holds an id that was proven when it was queued.
        delivery = (
            WebhookDelivery.objects.unscoped()
            .select_for_update()
            .select_related("hub__client", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return None
        now = timezone.now()
        # An attempt left open: its worker died mid-POST (the task was put back by the lease).
        delivery.attempt_log.filter(finished_at__isnull=True).update(finished_at=now, error=WORKER_LOST)
        hub = delivery.hub
        if hub.deleted_at is not None or hub.client.is_revoked:
            delivery.status, delivery.last_error = WebhookDelivery.Status.FAILED, "The listener is gone."
            delivery.save(update_fields=["status", "last_error"])
            return None
        delivery.tries += 1
        delivery.save(update_fields=["tries"])
        attempt = WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempt_log.count() + 1, started_at=now
        )
        return delivery, attempt


def _request(delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]] | str:
    """The body and signed headers, or why they cannot be made."""
    try:
        secrets = signing_secrets(delivery.hub)
    except UndecryptableSecret:
        return "The signing secret cannot be decrypted (an encryption key was removed)."
    body = json.dumps(delivery.event.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signatures(secrets, timestamp, body),
        EVENT_ID_HEADER: str(delivery.event.event_id),
    }
    return body, headers


def _finish(delivery_id: int, attempt: WebhookAttempt, outcome: Outcome) -> None:
    from api.tasks import deliver_webhook

    with transaction.atomic():
        delivery = WebhookDelivery.objects.unscoped().select_for_update().get(pk=delivery_id)
        now = timezone.now()
        attempt.finished_at, attempt.status_code = now, outcome.status_code
        attempt.error, attempt.duration_ms = outcome.error, outcome.duration_ms
        attempt.save(update_fields=["finished_at", "status_code", "error", "duration_ms"])
        if delivery.status != WebhookDelivery.Status.PENDING:
            return  # unregistered meanwhile
        if outcome.ok:
            delivery.status, delivery.delivered_at, delivery.last_error = WebhookDelivery.Status.DELIVERED, now, ""
            delivery.next_attempt_at = None
        elif delivery.tries >= int(getattr(settings, "WEBHOOK_MAX_TRIES", 8)):
            delivery.status, delivery.last_error, delivery.next_attempt_at = (
                WebhookDelivery.Status.FAILED,
                outcome.error,
                None,
            )
        else:
            delay = retry_delay(delivery.tries)
            delivery.last_error, delivery.next_attempt_at = outcome.error, now + delay
            task = deliver_webhook
            if delay and task.get_backend().supports_defer:
                task = task.using(run_after=now + delay)
            enqueue(task, delivery.pk)
        delivery.save(update_fields=["status", "delivered_at", "last_error", "next_attempt_at"])


def deliver(delivery_id: int) -> None:
    claimed = _claim(delivery_id)
    if claimed is None:
        return
    delivery, attempt = claimed
    request = _request(delivery)
    if isinstance(request, str):
        outcome = Outcome(None, request, 0)
    else:
        body, headers = request
        outcome = post(delivery.hub.callback, body=body, headers=headers)
    _finish(delivery_id, attempt, outcome)
