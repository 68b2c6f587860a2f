"""The project's default mailer: every e-mail becomes an outbox row, nothing talks to a mail server here."""

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from outbox.queue import queue


class OutboxBackend(BaseEmailBackend):
    """`send_messages()` writes rows inside the caller's transaction, so the mail commits (or rolls back)
    with the change that causes it; `manage.py send_outbox` hands them to ``MAILERS["outbox_transport"]``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        try:
            return self._queue_all(email_messages)
        except Exception:
            # mail_admins(fail_silently=True) from the error handler must not raise (e.g. database down).
            if getattr(self, "_fail_silently", False):
                return 0
            raise

    def _queue_all(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        with transaction.atomic():
            for message in email_messages:
                if not message.recipients():
                    continue
                message.message()  # bad headers or addresses fail here, in the caller, not later in the sender
                row = queue(
                    message, kind=getattr(message, "outbox_kind", ""), about=getattr(message, "outbox_about", None)
                )
                message.outbox_message = row  # type: ignore[attr-defined]
                count += 1
        return count
