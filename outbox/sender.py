"""Hands due outbox rows to the real transport, each at most once.

Order of events per message (each step its own short transaction, none open while talking to SMTP):
1. claim: lock one due row (`select_for_update(skip_locked)`, so senders never share a row), mark it
   handed_over and commit — before a byte goes to the mail server;
2. send it with the Message-ID fixed at creation;
3. mark it sent (or schedule a retry / mark it failed) and write an OutboxAttempt.

A sender that dies between 2 and 3 leaves the row handed_over. The server may have accepted it, so
it is never resent automatically; staff see it on /staff/mail/ and decide (mark sent, or resend).
"""

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from outbox.models import OutboxAttempt, OutboxMessage
from outbox.queue import rebuild

logger = logging.getLogger(__name__)

TRANSPORT_ALIAS = "outbox_transport"

# Sent after each attempt and each staff decision, inside that transaction, so areas can follow a message (eInvoice).
message_changed = Signal()


@dataclass
class Run:
    sent: int = 0
    retried: int = 0
    failed: int = 0


# A sender gives up on a mail server after EMAIL_TIMEOUT (20 s) per step; a row handed over longer
# ago than this belongs to a sender that died, and staff may decide about it.
UNCONFIRMED_AFTER = dt.timedelta(minutes=10)


def unconfirmed_before() -> dt.datetime:
    return timezone.now() - UNCONFIRMED_AFTER


def retry_window() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "OUTBOX_RETRY_HOURS", 72))


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes, at most an hour between tries."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def is_permanent(error: BaseException) -> bool:
    """5xx answers and addresses the server (or Django) refuses will never work: do not retry them."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    # Django refuses malformed addresses and headers while building the message.
    return isinstance(error, ValueError | UnicodeError)


def _is_connection_error(error: BaseException) -> bool:
    return isinstance(error, OSError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError) and not isinstance(
        error, smtplib.SMTPResponseException
    )


def transport() -> BaseEmailBackend:
    return mail.mailers[TRANSPORT_ALIAS]


def _claim(now: dt.datetime) -> OutboxMessage | None:
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.status = OutboxMessage.Status.HANDED_OVER
        row.handed_over_at = now
        row.attempts += 1
        row.save(update_fields=["status", "handed_over_at", "attempts"])
    return row


def _finish(row: OutboxMessage, *, started: dt.datetime, now: dt.datetime, error: BaseException | None) -> str:
    if error is None:
        row.status, row.sent_at, row.last_error = OutboxMessage.Status.SENT, now, ""
        result = OutboxAttempt.Result.SENT
    else:
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        if is_permanent(error):
            row.status, row.permanent = OutboxMessage.Status.FAILED, True
            result = OutboxAttempt.Result.PERMANENT
        elif now - row.queued_at >= retry_window():
            row.status = OutboxMessage.Status.FAILED
            result = OutboxAttempt.Result.EXPIRED
        else:
            row.status, row.next_attempt_at = OutboxMessage.Status.QUEUED, now + backoff(row.attempts)
            result = OutboxAttempt.Result.RETRY
    with transaction.atomic():
        row.save(update_fields=["status", "sent_at", "last_error", "permanent", "next_attempt_at"])
        OutboxAttempt.objects.create(
            message=row, started_at=started, finished_at=now, result=result, error=row.last_error
        )
        message_changed.send(sender=OutboxMessage, message=row)
    return result


def send_due(*, now: dt.datetime | None = None, limit: int = 500) -> Run:
    """Sends up to `limit` due messages. `now` lets tests move time; production passes nothing."""
    run = Run()
    connection: BaseEmailBackend | None = transport()  # a missing transport fails here, before any claim
    opened = False
    try:
        for _ in range(limit):
            started = now or timezone.now()
            row = _claim(started)
            if row is None:
                break
            error: BaseException | None = None
            try:
                if connection is None:
                    connection = transport()
                if not opened:
                    connection.open()
                    opened = True
                connection.send_messages([rebuild(row)])
            except Exception as caught:  # noqa: BLE001 - classified below: permanent, or retried
                error = caught
            result = _finish(row, started=started, now=now or timezone.now(), error=error)
            if result == OutboxAttempt.Result.SENT:
                run.sent += 1
            elif result == OutboxAttempt.Result.RETRY:
                run.retried += 1
                if error is not None and _is_connection_error(error):
                    logger.warning("Mail server unreachable (%s); the rest waits for the next run", error)
                    break
            else:
                run.failed += 1
            if error is not None and connection is not None and _is_connection_error(error):
                _close(connection)
                connection, opened = None, False
    finally:
        if connection is not None and opened:
            _close(connection)
    return run


def _close(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection is dropped either way
        logger.debug("closing the mail connection failed", exc_info=True)


def resend(row: OutboxMessage) -> None:
    """Queues a failed (or unconfirmed) message again, same Message-ID, fresh retry window. Caller audits."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxMessage.Status.QUEUED, permanent=False, next_attempt_at=now, queued_at=now, last_error=""
    )
    row.refresh_from_db()
    message_changed.send(sender=OutboxMessage, message=row)


def mark_sent(row: OutboxMessage) -> None:
    """Staff confirm that an unconfirmed hand-over did reach the server (e.g. from its logs)."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxMessage.Status.SENT, sent_at=now)
    row.refresh_from_db()
    message_changed.send(sender=OutboxMessage, message=row)
