from typing import Any

from django.core.management.base import BaseCommand

from invoicing.models import EInvoiceDelivery
from invoicing.tasks import MAX_ATTEMPTS, deliver_to_access_point, refresh_access_point_status, send_einvoice


class Command(BaseCommand):
    help = ("Queues deliveries that are still waiting (e.g. after the mail server or the access point failed), "
            "and asks the access point about documents sent but not yet acknowledged or rejected.")

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = EInvoiceDelivery.objects.filter(status=EInvoiceDelivery.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        count = 0
        for delivery_id, channel in waiting.values_list("pk", "channel"):
            (send_einvoice if channel == EInvoiceDelivery.Channel.EMAIL else deliver_to_access_point).enqueue(
                delivery_id)
            count += 1
        self.stdout.write(f"{count} delivery(ies) queued.")
        sent = EInvoiceDelivery.objects.filter(status=EInvoiceDelivery.Status.SENT).exclude(
            channel=EInvoiceDelivery.Channel.EMAIL)
        checks = 0
        for delivery_id in sent.values_list("pk", flat=True):
            refresh_access_point_status.enqueue(delivery_id)
            checks += 1
        self.stdout.write(f"{checks} access-point status check(s) queued.")
