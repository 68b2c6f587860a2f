"""Makes and queues the scheduled reports due (cron: daily, e.g. 06:00; running it twice sends nothing twice)."""

from typing import Any

from django.core.management.base import BaseCommand

from usage.actions import schedule_due_reports


class Command(BaseCommand):
    help = "Queues each scheduled report for its last complete period, once (the task worker builds and sends it)."

    def handle(self, *args: Any, **options: Any) -> None:
        runs = schedule_due_reports()
        self.stdout.write(self.style.SUCCESS(f"{len(runs)} report(s) queued."))
