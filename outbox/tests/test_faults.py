"""Fault tests with a real SMTP server process (outbox/tests/smtp_sink.py): `pytest -m fault outbox`.

Time is simulated: the sender takes `now`, so a 48-hour outage is a loop of cron runs, not a wait.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from outbox.models import OutboxMessage
from outbox.sender import send_due

pytestmark = [pytest.mark.fault]

CRON_EVERY = dt.timedelta(minutes=5)
MESSAGES = 11  # as in the issue: 11 ticket and port e-mails


def _queue_mail(count: int) -> list[str]:
    for number in range(count):
        EmailMessage(f"Ticket T-{number} updated", "Tekst", to=[f"kunde{number}@alfa.dk"]).send()
    return list(OutboxMessage.objects.order_by("id").values_list("message_id", flat=True))


@pytest.mark.django_db
def test_a_48_hour_outage_delivers_every_message_exactly_once_after_the_server_returns(sink, personas, client, capsys):
    expected = _queue_mail(MESSAGES)
    # "Forgot your password?" while the mail server is down: answered, and the reset e-mail waits in the outbox.
    response = client.post(reverse("account_reset_password"), {"email": personas.admin_a.email})
    assert response.status_code == 302
    expected = list(OutboxMessage.objects.order_by("id").values_list("message_id", flat=True))
    assert len(expected) == MESSAGES + 1

    start = timezone.now()
    runs = 0
    now = start
    while now < start + dt.timedelta(hours=48):  # cron every 5 minutes; the sink is not running
        send_due(now=now)
        runs += 1
        now += CRON_EVERY
    assert sink.received() == []
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.QUEUED).exists()  # none given up
    tries_during_outage = sum(OutboxMessage.objects.values_list("attempts", flat=True))

    sink.start("accept")
    for _ in range(3):  # the next cron runs after the server is back, and one more for good measure
        now += CRON_EVERY
        send_due(now=now + dt.timedelta(hours=1))
    received = Counter(m["message_id"] for m in sink.received())
    assert sorted(received) == sorted(expected)
    assert set(received.values()) == {1}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    with capsys.disabled():
        print(
            f"\n[fault] 48 h outage: {runs} sender runs, {tries_during_outage} refused tries; "
            f"expected {len(expected)}, delivered {sum(received.values())}, distinct {len(received)}"
        )


@pytest.mark.django_db
def test_a_permanent_5xx_fails_at_once_and_is_shown_to_staff(sink, personas, login):
    sink.start("reject")
    [message_id] = _queue_mail(1)
    run = send_due()
    assert (run.sent, run.failed) == (0, 1)
    row = OutboxMessage.objects.get()
    assert (row.status, row.permanent, row.attempts) == (OutboxMessage.Status.FAILED, True, 1)
    assert "550" in row.last_error
    assert sink.received() == []  # refused at RCPT: never received

    assert send_due(now=timezone.now() + dt.timedelta(days=2)).sent == 0  # not retried
    page = login(personas.staff).get(reverse("outbox:staff")).content.decode()
    assert escape(message_id) in page and "550" in page and 'data-testid="outbox-resend"' in page

    sink.start("accept")  # the address was fixed on the server's side: staff resend it
    login(personas.staff).post(reverse("outbox:staff_resend", args=[row.pk]))
    assert send_due().sent == 1
    assert [m["message_id"] for m in sink.received()] == [message_id]


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _send_outbox_process(sink) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "30",
        "DJANGO_SETTINGS_MODULE": "selfservice.settings",
    }
    env.pop("OUTBOX_TRANSPORT", None)
    manage = Path(django_settings.BASE_DIR) / "manage.py"
    return subprocess.Popen(
        [sys.executable, str(manage), "send_outbox"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.django_db(transaction=True)
def test_a_sender_killed_after_the_server_accepted_never_sends_a_second_copy(sink, personas, login, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the killed sender is a separate process: it needs the shared PostgreSQL test database")
    settings.OUTBOX_SEND_ON_COMMIT = False  # only the subprocess sends
    [message_id] = _queue_mail(1)

    sink.start("stall")  # takes the whole message, records it, never answers 250
    sender = _send_outbox_process(sink)
    deadline = time.monotonic() + 60
    while not sink.received():
        assert sender.poll() is None, sender.communicate()
        assert time.monotonic() < deadline, "the sink never received the message"
        time.sleep(0.05)
    os.kill(sender.pid, signal.SIGKILL)  # the server has the message; the sender dies before hearing 250
    sender.wait()

    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.HANDED_OVER

    sink.start("accept")  # back to normal; the next cron runs
    for _ in range(2):
        again = _send_outbox_process(sink)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert b"sent 0" in out
    send_due(now=timezone.now() + dt.timedelta(days=3))
    assert [m["message_id"] for m in sink.received()] == [message_id]  # one copy, never two

    OutboxMessage.objects.update(handed_over_at=timezone.now() - dt.timedelta(hours=1))  # time passes
    page = login(personas.staff).get(reverse("outbox:staff")).content.decode()
    assert escape(message_id) in page and "Mark sent" in page
    login(personas.staff).post(reverse("outbox:staff_mark_sent", args=[row.pk]))
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
