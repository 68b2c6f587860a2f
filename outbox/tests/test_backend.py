import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail
from django.db import transaction

from outbox.models import OutboxMessage
from outbox.queue import rebuild

pytestmark = pytest.mark.django_db


def test_it_writes_a_row_and_sends_nothing_before_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_mail("Hej", "Tekst", None, ["a@alfa.dk"])
    row = OutboxMessage.objects.get()
    assert (row.status, row.to, row.subject, row.attempts) == (OutboxMessage.Status.QUEUED, ["a@alfa.dk"], "Hej", 0)
    assert row.message_id.startswith("<") and row.message_id.endswith(">")
    assert mail.outbox == []
    assert len(callbacks) == 1  # one wake-up of the sender, after the commit


def test_it_wakes_the_sender_once_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for number in range(3):
            send_mail(f"Besked {number}", "Tekst", None, ["a@alfa.dk"])
    assert OutboxMessage.objects.count() == 3
    assert len(callbacks) == 1


def test_it_rolls_the_mail_back_with_the_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Hej", "Tekst", None, ["a@alfa.dk"])
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


def test_it_sends_after_the_commit_with_the_stored_message_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        EmailMessage("Hej", "Tekst", to=["a@alfa.dk"], cc=["b@alfa.dk"]).send()
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.SENT and row.sent_at is not None
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [row.message_id]
    assert mail.outbox[0].message()["Message-ID"] == row.message_id
    assert (mail.outbox[0].to, mail.outbox[0].cc) == (["a@alfa.dk"], ["b@alfa.dk"])
    assert list(row.tries.values_list("result", flat=True)) == ["sent"]


def test_it_keeps_html_parts_attachments_and_headers():
    message = EmailMultiAlternatives("Faktura", "Tekst", to=["a@alfa.dk"], headers={"X-Ref": "42"})
    message.attach_alternative("<p>Tekst</p>", "text/html")
    message.attach("faktura.pdf", b"%PDF-1.7 binary\x00\xff", "application/pdf")
    message.attach("noter.txt", "æøå", "text/plain")
    message.send()
    rebuilt = rebuild(OutboxMessage.objects.get())
    assert rebuilt.alternatives[0].content == "<p>Tekst</p>"
    assert [(a.filename, a.content) for a in rebuilt.attachments] == [
        ("faktura.pdf", b"%PDF-1.7 binary\x00\xff"),
        ("noter.txt", "æøå"),
    ]
    assert rebuilt.extra_headers["X-Ref"] == "42"


def test_it_refuses_a_malformed_address_in_the_caller():
    with pytest.raises(ValueError):
        EmailMessage("Hej", "Tekst", to=["not an address\n"]).send()
    assert not OutboxMessage.objects.exists()
