from typing import Any

from django.core.management.base import BaseCommand

from invoicing.models import EInvoiceDelivery
from invoicing.tasks import MAX_ATTEMPTS, send_einvoice


class Command(BaseCommand):
    help = "Queues eInvoice e-mails that are still waiting (e.g. after the mail server failed)."

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = EInvoiceDelivery.objects.filter(status=EInvoiceDelivery.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        count = 0
        for delivery_id in waiting.values_list("pk", flat=True):
            send_einvoice.enqueue(delivery_id)
            count += 1
        self.stdout.write(f"{count} e-mail(s) queued.")
