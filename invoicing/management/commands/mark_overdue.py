import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.actor import Actor
from invoicing.actions import mark_overdue


class Command(BaseCommand):
    help = "Marks issued and partially paid invoices past their due date as overdue. Safe to run again; run daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Treat this day (YYYY-MM-DD) as today (default: today, Danish time).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        marked = mark_overdue(by=Actor.system("mark_overdue command"), today=today)
        self.stdout.write(self.style.SUCCESS(f"{len(marked)} invoice(s) marked overdue"))
