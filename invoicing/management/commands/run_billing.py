import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.actor import Actor
from invoicing.billing import run_billing
from invoicing.money import parse_period


class Command(BaseCommand):
    help = "Bills every company for a period (YYYY-MM). Safe to run again: billed companies are skipped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="YYYY-MM, e.g. 2026-11")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        period = options["period"]
        try:
            parse_period(period)
        except ValueError:
            raise CommandError("The period must be YYYY-MM, e.g. 2026-11.") from None
        started = time.monotonic()
        show = not options["no_progress"]

        def progress(done: int, total: int) -> None:
            if not show or (done % 20 and done != total):
                return
            width = 40
            filled = width * done // max(total, 1)
            elapsed = time.monotonic() - started
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} companies {elapsed:6.1f}s")
            sys.stderr.flush()
            if done == total:
                sys.stderr.write("\n")

        result = run_billing(period, by=Actor.system("run_billing command"), progress=progress)
        self.stdout.write(self.style.SUCCESS(
            f"{period}: {len(result.created)} invoices created, {result.skipped} companies already billed "
            f"({time.monotonic() - started:.1f} s)."))
