import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from outbox.models import OutboxAttempt, OutboxMessage
from outbox.sender import backoff, send_due

pytestmark = pytest.mark.django_db

FAILURE: list[BaseException] = []


class ScriptedBackend(BaseEmailBackend):
    """Raises the next error in FAILURE, or hands the message to locmem."""

    def send_messages(self, email_messages):
        if FAILURE:
            raise FAILURE.pop(0)
        return mail.mailers["locmem"].send_messages(email_messages)


@pytest.fixture
def scripted(settings):
    FAILURE.clear()
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "outbox.tests.test_sender.ScriptedBackend"},
        "locmem": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    yield FAILURE
    FAILURE.clear()


def _queue(count: int = 1) -> list[OutboxMessage]:
    for number in range(count):
        send_mail(f"Besked {number}", "Tekst", None, [f"user{number}@alfa.dk"])
    return list(OutboxMessage.objects.order_by("id"))


def test_it_sends_each_due_message_once(scripted):
    _queue(3)
    assert send_due().sent == 3
    assert send_due().sent == 0
    assert len(mail.outbox) == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_it_retries_a_4xx_with_backoff(scripted):
    [row] = _queue()
    scripted.append(smtplib.SMTPDataError(451, b"4.3.0 try again later"))
    run = send_due()
    row.refresh_from_db()
    assert (run.retried, row.status, row.attempts, row.permanent) == (1, "queued", 1, False)
    assert row.next_attempt_at >= timezone.now() + dt.timedelta(seconds=50)
    assert send_due().sent == 0  # not due yet
    assert send_due(now=row.next_attempt_at).sent == 1
    assert list(row.tries.values_list("result", flat=True)) == ["retry", "sent"]


def test_it_fails_a_5xx_at_once_and_for_good(scripted):
    [row] = _queue()
    scripted.append(smtplib.SMTPRecipientsRefused({"user0@alfa.dk": (550, b"5.1.1 no such user")}))
    assert send_due().failed == 1
    row.refresh_from_db()
    assert (row.status, row.permanent, row.attempts) == ("failed", True, 1)
    assert "550" in row.last_error
    assert send_due(now=timezone.now() + dt.timedelta(days=1)).sent == 0


def test_it_stops_the_run_when_the_server_is_unreachable(scripted):
    _queue(3)
    scripted.append(ConnectionRefusedError(111, "Connection refused"))
    run = send_due()
    assert (run.sent, run.retried) == (0, 1)
    assert OutboxMessage.objects.filter(attempts=0).count() == 2  # the others wait for the next run


def test_it_gives_up_after_the_retry_window(scripted, settings):
    [row] = _queue()
    start = row.created_at
    scripted.extend([ConnectionRefusedError(111, "refused")] * 2)
    send_due(now=start + dt.timedelta(hours=settings.OUTBOX_RETRY_HOURS - 1))
    assert OutboxMessage.objects.get().status == "queued"
    send_due(now=start + dt.timedelta(hours=settings.OUTBOX_RETRY_HOURS, minutes=1))
    row.refresh_from_db()
    assert (row.status, row.permanent) == ("failed", False)
    assert row.tries.last().result == OutboxAttempt.Result.EXPIRED


def test_it_never_resends_a_message_left_handed_over(scripted):
    [row] = _queue()
    OutboxMessage.objects.filter(pk=row.pk).update(status="handed_over", attempts=1)
    assert send_due(now=timezone.now() + dt.timedelta(days=3)).sent == 0
    assert mail.outbox == []


def test_it_claims_nothing_when_the_transport_is_missing(settings):
    _queue()
    settings.MAILERS = {"default": settings.MAILERS["default"]}
    with pytest.raises(Exception, match="outbox_transport"):
        send_due()
    assert OutboxMessage.objects.get().status == "queued"


def test_it_backs_off_exponentially_up_to_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 6, 7, 20)] == [1, 2, 4, 32, 60, 60]


def test_the_command_reports_what_it_did(scripted, capsys):
    _queue(2)
    call_command("send_outbox")
    assert "sent 2" in capsys.readouterr().out
