"""Turning a Django e-mail into an outbox row, and back."""

import base64
import email
import email.policy
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, EmailMultiAlternatives, make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import models, transaction
from django.utils import timezone

from outbox.models import OutboxMessage


def _message_id(message: EmailMessage) -> str:
    for name, value in message.extra_headers.items():
        if name.lower() == "message-id":
            return str(value)
    return make_msgid(domain=getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "") or DNS_NAME)


def _attachments(message: EmailMessage) -> list[dict[str, Any]]:
    stored: list[dict[str, Any]] = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):  # pre-built MIME parts keep their bytes
            stored.append({"mime": base64.b64encode(attachment.as_bytes()).decode()})
            continue
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else bytes(content)
        stored.append(
            {
                "filename": filename,
                "mimetype": mimetype or "",
                "content_b64": base64.b64encode(data).decode(),
                "text": isinstance(content, str),
            }
        )
    return stored


def queue(message: EmailMessage, *, kind: str = "", about: models.Model | None = None) -> OutboxMessage:
    """Writes one outbox row for `message` in the current transaction; the sender delivers it later."""
    message_id = _message_id(message)
    headers = {k: str(v) for k, v in message.extra_headers.items() if k.lower() != "message-id"}
    now = timezone.now()
    row = OutboxMessage.objects.create(
        message_id=message_id,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        subject=str(message.subject)[:998],
        body=str(message.body),
        alternatives=[[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        attachments=_attachments(message),
        headers=headers,
        kind=kind,
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=str(about.pk) if about is not None else "",
        created_at=now,
        queued_at=now,
        next_attempt_at=now,
    )
    _wake_sender()
    return row


def _wake_sender() -> None:
    """After the commit, ask a worker to send now instead of waiting for the next cron minute."""
    if not getattr(settings, "OUTBOX_SEND_ON_COMMIT", True):
        return
    from outbox.tasks import wake

    def enqueue() -> None:
        try:
            wake()
        except Exception:  # noqa: BLE001 - cron's `send_outbox` picks the row up anyway
            pass

    # One wake-up per transaction is enough, however many messages it queued.
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        if any(getattr(callback, "_outbox_wake", False) for _sids, callback, _robust in connection.run_on_commit):
            return
        enqueue._outbox_wake = True  # type: ignore[attr-defined]
    transaction.on_commit(enqueue)


def rebuild(row: OutboxMessage) -> EmailMultiAlternatives:
    """The message as Django sends it, with the Message-ID fixed at creation (so a resend is recognisable)."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": row.message_id},
    )
    for content, mimetype in row.alternatives:
        message.attach_alternative(content, mimetype)
    for attachment in row.attachments:
        if "mime" in attachment:
            part = email.message_from_bytes(base64.b64decode(attachment["mime"]), policy=email.policy.default)
            message.attach(part)
            continue
        data = base64.b64decode(attachment["content_b64"])
        payload: str | bytes = data.decode() if attachment.get("text") else data
        message.attach(attachment["filename"], payload, attachment["mimetype"] or None)
    return message
