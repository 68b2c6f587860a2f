from typing import Any

from django.core.management.base import BaseCommand

from invoicing.models import EInvoiceDelivery
from invoicing.tasks import send_einvoice


class Command(BaseCommand):
    help = ("Queues eInvoice e-mails that have no outbox message yet and retries held-back ones now "
            "(kept as an alias: the outbox itself retries, and `send_outbox` sends).")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        from outbox.models import OutboxMessage
        from outbox.sender import send_due

        # eInvoices a failing mail server held back are tried now rather than at their next backoff step.
        OutboxMessage.objects.filter(kind="einvoice", status=OutboxMessage.Status.QUEUED).update(
            next_attempt_at=timezone.now())
        waiting = EInvoiceDelivery.objects.filter(status=EInvoiceDelivery.Status.PENDING, outbox_message__isnull=True)
        count = 0
        for delivery_id in waiting.values_list("pk", flat=True):
            send_einvoice.enqueue(delivery_id)
            count += 1
        run = send_due()
        self.stdout.write(f"{count} e-mail(s) queued; sent {run.sent}, retrying {run.retried}, failed {run.failed}.")
