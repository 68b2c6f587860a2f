from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from subscriptions import counters


class Command(BaseCommand):
    help = (
        "Rebuilds the per-company subscription counts (overview, list) from the subscriptions and reports "
        "any that were off. The database's triggers keep them right; this is the safety net."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="exit with status 1 if any count was off")

    def handle(self, *args: Any, **options: Any) -> None:
        counters.install_triggers()
        off = counters.rebuild()
        for (company_id, product_id, status, cost_centre), (stored, actual) in sorted(off.items(), key=str):
            self.stdout.write(
                f"company {company_id} type {product_id} {status} cost centre {cost_centre!r}: "
                f"was {stored}, is {actual}"
            )
        self.stdout.write(f"{len(off)} count(s) corrected" if off else "all counts were right")
        if off and options["check"]:
            raise SystemExit(1)
