import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from audit.actor import Actor
from common.progress import Progress
from invoicing.billing import run_billing
from invoicing.money import parse_period
from invoicing.periods import check_billable, record_forced_run


class Command(BaseCommand):
    help = (
        "Bills every company for a period (YYYY-MM). Safe to run again: billed companies are skipped. "
        "A month that is not over (or lies in the future) is refused unless --force --reason '...' is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="YYYY-MM, e.g. 2026-11")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not show progress (a bar on a terminal, plain lines otherwise).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Bill a month that is not over yet; needs --reason and is audited."
        )
        parser.add_argument("--reason", default="", help="Why the month is billed early (with --force).")

    def handle(self, *args: Any, **options: Any) -> None:
        period = options["period"]
        try:
            parse_period(period)
        except ValueError:
            raise CommandError("The period must be YYYY-MM, e.g. 2026-11.") from None
        by = Actor.system("run_billing command")
        try:
            with transaction.atomic():
                if check_billable(period, force=options["force"], reason=options["reason"]):
                    record_forced_run(period=period, reason=options["reason"], by=by)
        except ValidationError as error:
            hint = _("Use --force --reason '...' to bill it anyway.") if error.code == "unfinished" else ""
            raise CommandError(f"{error.messages[0]} {hint}".strip()) from None
        started = time.monotonic()
        bar: Progress | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["no_progress"]:
                return
            if bar is None:
                bar = Progress(
                    self.stderr, total=total, label=_("Billing %(period)s") % {"period": period}, unit=_("companies")
                )
            bar.update(done)

        try:
            result = run_billing(period, by=by, progress=progress)
        except BaseException:
            if bar is not None:
                bar.close(finished=False)
            raise
        if bar is not None:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{period}: {len(result.created)} invoices created, {result.skipped} companies already billed "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
