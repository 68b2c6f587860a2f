"""E-mails about tickets, written by a background task after the transaction commits.

`.send()` puts each e-mail in the outbox (the default mailer), which retries a failing mail
server for 72 hours; what still fails here (e.g. a malformed address) is logged, not raised.
"""

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket

logger = logging.getLogger(__name__)

# Events that the company's admins hear about, and those that staff hear about.
CUSTOMER_EVENTS = ("staff_reply", "staff_status")
STAFF_EVENTS = ("created", "customer_reply")


def _base_url() -> str:
    return getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")


def _admin_recipients(ticket: "Ticket") -> list["User"]:
    from companies.models import Membership

    memberships = Membership.objects.filter(company_id=ticket.company_id).select_related("user")
    # Area grants are a JSON list; filtered here so it works on SQLite and PostgreSQL alike.
    return [m.user for m in memberships if m.has_area("tickets") and m.user.is_active and m.user.email]


def _send(*, subject: str, body: str, to: list[str], ticket_number: str) -> bool:
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:
        logger.exception("Could not send the e-mail about ticket %s to %s", ticket_number, ", ".join(to))
        return False
    return True


@task
def send_ticket_email(*, ticket_id: int, event: str, message_id: int | None = None) -> int:
    """Sends the e-mails for one ticket event; returns how many were sent."""
    from tickets.models import Ticket, TicketMessage

    ticket = Ticket.objects.unscoped().select_related("company").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    message = None
    if message_id is not None:
        message = TicketMessage.objects.unscoped().filter(pk=message_id, ticket=ticket, is_internal=False).first()
    sent = 0
    if event in CUSTOMER_EVENTS:
        url = _base_url() + reverse("tickets:detail", kwargs={"ticket_id": ticket.pk})
        for user in _admin_recipients(ticket):
            with translation.override(user.language or settings.LANGUAGE_CODE):
                context = {"ticket": ticket, "message": message, "event": event, "url": url, "user": user}
                subject = render_to_string("tickets/email/customer_subject.txt", context).strip()
                body = render_to_string("tickets/email/customer_body.txt", context)
            sent += _send(subject=subject, body=body, to=[user.email], ticket_number=ticket.number)
    elif event in STAFF_EVENTS:
        recipients = list(settings.STAFF_NOTIFICATION_EMAILS)
        if recipients:
            url = _base_url() + reverse("tickets:staff_detail", kwargs={"ticket_id": ticket.pk})
            with translation.override(settings.LANGUAGE_CODE):
                context = {"ticket": ticket, "message": message, "event": event, "url": url}
                subject = render_to_string("tickets/email/staff_subject.txt", context).strip()
                body = render_to_string("tickets/email/staff_body.txt", context)
            sent += _send(subject=subject, body=body, to=recipients, ticket_number=ticket.number)
    return sent
