import logging
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from accounts.tests.factories import UserFactory
from companies.models import Membership
from companies.tests.factories import MembershipFactory
from tickets import actions
from tickets.models import Category, Status, Ticket, TicketMessage
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def staff_inbox(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["support@operator.example"]


@pytest.fixture
def failing_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "tickets.tests.test_emails.FailingBackend"}}


def _create(client):
    return client.post(
        reverse("tickets:create"),
        {
            "category": Category.INVOICE,
            "subject": "Forkert beløb",
            "description": "Fakturaen er for høj.",
            "priority": "normal",
            "submission_token": str(uuid.uuid4()),
        },
    )


def test_it_tells_staff_about_a_new_ticket(personas, login, staff_inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _create(login(personas.admin_a))
    ticket = Ticket.all_companies.get()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["support@operator.example"]
    assert ticket.number in mail.outbox[0].subject
    assert "Alfa ApS" in mail.outbox[0].subject
    assert reverse("tickets:staff_detail", kwargs={"ticket_id": ticket.pk}) in mail.outbox[0].body


def test_it_sends_nothing_before_the_transaction_commits(
    personas, login, staff_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _create(login(personas.admin_a))
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_it_tells_staff_about_a_customer_reply(
    personas, login, staff_inbox, ticket_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.admin_a).post(
            reverse("tickets:reply", kwargs={"ticket_id": ticket_a.pk}), {"body": "Stadig forkert"}
        )
    assert len(mail.outbox) == 1
    assert "Stadig forkert" in mail.outbox[0].body


def test_it_tells_the_companys_ticket_admins_about_a_staff_reply_in_their_language(
    personas, login, ticket_a, django_capture_on_commit_callbacks
):
    danish = MembershipFactory(company=personas.company_a, user__language="da", user__email="dansk@alfa.dk").user
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.staff).post(
            reverse("tickets:staff_reply", kwargs={"ticket_id": ticket_a.pk}), {"body": "Vi har rettet fakturaen."}
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    # Every admin of A with the tickets area; not invoice_only_a, not company B's admins.
    expected = {personas.admin_a.email, personas.admin_ab.email, personas.readonly_a.email, danish.email}
    assert set(by_recipient) == expected
    assert by_recipient[danish.email].subject == f"Nyt svar på supportsag {ticket_a.number}"
    assert by_recipient[personas.admin_a.email].subject == f"New reply on support ticket {ticket_a.number}"
    assert "Vi har rettet fakturaen." in by_recipient[danish.email].body


def test_it_tells_the_admins_about_a_status_change(personas, login, ticket_a, django_capture_on_commit_callbacks):
    Membership.objects.filter(company=personas.company_a).exclude(user=personas.admin_a).delete()
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.staff).post(
            reverse("tickets:staff_status", kwargs={"ticket_id": ticket_a.pk}),
            {"status": Status.REJECTED, "reason": "Ikke en fejl hos os"},
        )
    assert [m.to for m in mail.outbox] == [[personas.admin_a.email]]
    assert "Rejected" in mail.outbox[0].subject
    assert "Ikke en fejl hos os" in mail.outbox[0].body


def test_it_never_mails_customers_about_internal_notes(personas, login, ticket_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.staff).post(
            reverse("tickets:staff_reply", kwargs={"ticket_id": ticket_a.pk}), {"body": "Hemmeligt", "internal": "on"}
        )
    assert mail.outbox == []


def test_it_keeps_the_ticket_when_the_mail_server_fails(
    personas, login, staff_inbox, failing_mail, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.ERROR, logger="tickets.tasks"), django_capture_on_commit_callbacks(execute=True):
        response = _create(login(personas.admin_a))
    ticket = Ticket.all_companies.get()
    assert response.status_code == 302
    assert mail.outbox == []
    assert f"Could not send the e-mail about ticket {ticket.number}" in caplog.text


def test_it_keeps_the_staff_reply_when_the_mail_server_fails(
    personas, login, ticket_a, failing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.staff).post(
            reverse("tickets:staff_reply", kwargs={"ticket_id": ticket_a.pk}), {"body": "Svar"}
        )
    assert response.status_code == 302
    assert TicketMessage.all_companies.get().body == "Svar"


def test_the_task_reports_how_many_it_sent(personas, ticket_a):
    UserFactory()  # not a member: never a recipient
    message = TicketMessage.objects.create(
        company=ticket_a.company, ticket=ticket_a, author_name="Sofie", from_staff=True, body="Hej"
    )
    result = actions.tasks.send_ticket_email.call(ticket_id=ticket_a.pk, event="staff_reply", message_id=message.pk)
    assert result == 3  # admin_a, admin_ab and readonly_a have the tickets area


def test_it_ignores_a_deleted_ticket(db):
    assert actions.tasks.send_ticket_email.call(ticket_id=999, event="created") == 0


def test_a_customer_close_sends_no_mail_to_the_customer(personas, login, django_capture_on_commit_callbacks):
    ticket = TicketFactory(company=personas.company_a)
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.admin_a).post(reverse("tickets:close", kwargs={"ticket_id": ticket.pk}))
    assert mail.outbox == []


def test_an_email_waits_in_the_outbox_while_the_mail_server_is_down(
    personas, login, staff_inbox, settings, django_capture_on_commit_callbacks
):
    from outbox.models import OutboxMessage
    from outbox.sender import send_due

    settings.MAILERS = {**settings.MAILERS, "outbox_transport": {"BACKEND": "tickets.tests.test_emails.FailingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert _create(login(personas.admin_a)).status_code == 302
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, mail.outbox) == ("queued", 1, [])

    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    send_due(now=row.next_attempt_at)
    send_due(now=row.next_attempt_at)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [row.message_id]
