"""Staff decisions on single messages; audited."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from outbox import sender
from outbox.models import OutboxMessage

if TYPE_CHECKING:
    from companies.models import Company


@transaction.atomic
def resend_message(message: OutboxMessage, *, by: Actor, company: "Company | None" = None) -> OutboxMessage:
    """Queues a failed or unconfirmed message again with the same Message-ID."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if not locked.needs_decision:
        raise ValidationError(_("Only a failed or unconfirmed e-mail can be resent."))
    previous = locked.status
    sender.resend(locked)
    record(
        "outbox.resend",
        by=by,
        company=company,
        target=locked,
        details={"message_id": locked.message_id, "was": previous, "to": locked.to},
    )
    return locked


@transaction.atomic
def mark_message_sent(message: OutboxMessage, *, by: Actor) -> OutboxMessage:
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if not locked.is_unconfirmed:
        raise ValidationError(_("Only an unconfirmed e-mail can be marked as sent."))
    sender.mark_sent(locked)
    record("outbox.mark_sent", by=by, company=None, target=locked, details={"message_id": locked.message_id})
    return locked
