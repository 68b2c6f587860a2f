"""Recounts the usage totals from the usage records (after a repair, or for records made outside the import)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from companies.models import Company
from usage.aggregates import rebuild


class Command(BaseCommand):
    help = "Recounts the usage totals (daily, monthly, per cost centre) from the usage records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, action="append", help="Company id (repeat); default: all.")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["company"] or list(Company.objects.values_list("pk", flat=True))
        for company_id in ids:
            rebuild(company_id)
        self.stdout.write(self.style.SUCCESS(f"Usage totals recounted for {len(ids)} companies."))
