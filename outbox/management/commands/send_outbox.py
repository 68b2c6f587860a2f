from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outbox.sender import send_due


class Command(BaseCommand):
    help = "Sends the e-mails that are due (run every minute from cron, or let the worker do it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="at most this many messages per run")

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_due(limit=options["limit"])
        self.stdout.write(f"sent {run.sent}, retrying {run.retried}, failed {run.failed}")
