from typing import Any

from django.core.management.base import BaseCommand

from invoicing.models import EInvoiceDelivery
from invoicing.tasks import MAX_ATTEMPTS, deliver_to_access_point, refresh_access_point_status, send_einvoice


class Command(BaseCommand):
    help = (
        "Queues eInvoice e-mails that have no outbox message yet and retries held-back ones now "
        "(the outbox itself retries, and `send_outbox` sends); queues waiting access-point deliveries and "
        "asks the access point about documents sent but not yet acknowledged or rejected."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        from outbox.models import OutboxMessage
        from outbox.sender import send_due

        # eInvoices a failing mail server held back are tried now rather than at their next backoff step.
        OutboxMessage.objects.filter(kind="einvoice", status=OutboxMessage.Status.QUEUED).update(
            next_attempt_at=timezone.now()
        )
        waiting = EInvoiceDelivery.objects.unscoped().filter(
            status=EInvoiceDelivery.Status.PENDING, outbox_message__isnull=True, attempts__lt=MAX_ATTEMPTS
        )
        count = 0
        for delivery_id, channel in waiting.values_list("pk", "channel"):
            (send_einvoice if channel == EInvoiceDelivery.Channel.EMAIL else deliver_to_access_point).enqueue(
                delivery_id
            )
            count += 1
        run = send_due()
        self.stdout.write(f"{count} e-mail(s) queued; sent {run.sent}, retrying {run.retried}, failed {run.failed}.")
        sent = (
            EInvoiceDelivery.objects.unscoped()
            .filter(status=EInvoiceDelivery.Status.SENT)
            .exclude(channel=EInvoiceDelivery.Channel.EMAIL)
        )
        checks = 0
        for delivery_id in sent.values_list("pk", flat=True):
            refresh_access_point_status.enqueue(delivery_id)
            checks += 1
        self.stdout.write(f"{checks} access-point status check(s) queued.")
