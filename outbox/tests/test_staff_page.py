import datetime as dt

import pytest
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
URL = reverse("outbox:staff")


def _message(status: str, **fields) -> OutboxMessage:
    if status == "handed_over":
        fields.setdefault("handed_over_at", timezone.now() - dt.timedelta(hours=1))
    send_mail("Ticket T-1 opdateret", "Tekst", None, ["kunde@alfa.dk"])
    row = OutboxMessage.objects.latest("id")
    OutboxMessage.objects.filter(pk=row.pk).update(status=status, **fields)
    row.refresh_from_db()
    return row


def test_it_shows_staff_the_messages_that_need_attention(personas, login):
    failed = _message("failed", permanent=True, last_error="SMTPRecipientsRefused: 550 no such user")
    unconfirmed = _message("handed_over")
    _message("sent")
    page = login(personas.staff).get(URL)
    assert page.status_code == 200
    rows = page.content.decode()
    assert rows.count('data-testid="outbox-row"') == 2
    assert escape(failed.message_id) in rows and escape(unconfirmed.message_id) in rows and "550 no such user" in rows


def test_it_filters_by_status(personas, login):
    _message("failed")
    sent = _message("sent")
    page = login(personas.staff).get(URL, {"status": "sent"}).content.decode()
    assert page.count('data-testid="outbox-row"') == 1 and escape(sent.message_id) in page
    assert login(personas.staff).get(URL, {"status": "<script>"}).status_code == 200


def test_it_is_paginated(personas, login, settings, django_assert_max_num_queries):
    for _ in range(settings.PAGE_SIZE + 1):
        _message("failed")
    client = login(personas.staff)
    assert client.get(URL).content.decode().count('data-testid="outbox-row"') == settings.PAGE_SIZE
    assert client.get(URL, {"page": 2}).content.decode().count('data-testid="outbox-row"') == 1


def test_the_page_costs_the_same_queries_for_many_messages(personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas.staff)
    for _ in range(2):
        _message("failed")
    client.get(URL)  # warm the session and the staff-menu caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for _ in range(40):
        _message("handed_over")
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, {"status": "all"}).status_code == 200
    assert len(many) == len(few)


def test_it_is_in_danish(personas, login):
    personas.staff.language = "da"
    personas.staff.save()
    _message("failed")
    page = login(personas.staff).get(URL, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Send igen" in page


def test_it_does_not_exist_for_customers(personas, login, client):
    row = _message("failed")
    assert login(personas.admin_a).get(URL).status_code == 404
    assert login(personas.admin_a).post(reverse("outbox:staff_resend", args=[row.pk])).status_code == 404
    assert client.get(URL).status_code == 302


def test_it_resends_a_failed_message_and_audits_it(personas, login):
    row = _message("failed", permanent=True, attempts=1)
    response = login(personas.staff).post(reverse("outbox:staff_resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.permanent) == ("queued", False)
    event = AuditEvent.all_companies.get(action="outbox.resend")
    assert (event.actor, event.details["message_id"]) == (personas.staff, row.message_id)


def test_it_resends_only_on_post(personas, login):
    row = _message("failed")
    assert login(personas.staff).get(reverse("outbox:staff_resend", args=[row.pk])).status_code == 405


def test_it_refuses_to_resend_a_sent_message(personas, login):
    row = _message("sent")
    login(personas.staff).post(reverse("outbox:staff_resend", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "sent"
    assert not AuditEvent.all_companies.filter(action="outbox.resend").exists()


def test_it_lets_staff_mark_an_unconfirmed_message_as_sent(personas, login):
    row = _message("handed_over")
    login(personas.staff).post(reverse("outbox:staff_mark_sent", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "sent" and row.sent_at is not None
    assert AuditEvent.all_companies.filter(action="outbox.mark_sent").exists()


def test_it_is_linked_from_the_staff_menu(personas, login):
    page = login(personas.staff).get(reverse("portal:overview"), follow=True).content.decode()
    assert URL in page


def test_it_leaves_a_message_alone_while_its_sender_may_still_be_talking_to_the_server(personas, login):
    row = _message("handed_over", handed_over_at=timezone.now())
    client = login(personas.staff)
    assert 'data-testid="outbox-row"' not in client.get(URL).content.decode()
    client.post(reverse("outbox:staff_resend", args=[row.pk]))
    client.post(reverse("outbox:staff_mark_sent", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "handed_over"
