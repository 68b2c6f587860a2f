"""Queues the zero-touch registration of waiting devices again, e.g. after a provider's credentials were set."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from jobs.queue import enqueue
from products.models import Enrolment
from products.tasks import register_devices


class Command(BaseCommand):
    help = "Queue the zero-touch registration of pending devices (with --failed: failed ones too, from scratch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="also try failed devices again")

    def handle(self, *args: Any, failed: bool = False, **options: Any) -> None:
        with transaction.atomic():
            if failed:
                Enrolment.objects.filter(status=Enrolment.Status.FAILED).update(
                    status=Enrolment.Status.PENDING, attempts=0, polls=0, transaction_id="", error=""
                )
            ids = list(Enrolment.objects.filter(status=Enrolment.Status.PENDING).values_list("pk", flat=True))
            if ids:
                enqueue(register_devices, ids)
        self.stdout.write(f"{len(ids)} device(s) queued for zero-touch registration.")
