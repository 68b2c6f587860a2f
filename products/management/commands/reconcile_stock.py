"""Compares each catalogue item's stock with the sum of its stock movements (they must be equal)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from products.selectors import stock_mismatches


class Command(BaseCommand):
    help = "Lists items whose stock differs from the sum of their stock movements; --check fails if any does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="exit with an error when an item does not add up")

    def handle(self, *args: Any, **options: Any) -> None:
        found = stock_mismatches()
        for item, total in found:
            self.stdout.write(f"{item.code}: stock {item.stock}, movements add up to {total}")
        if not found:
            self.stdout.write("Every item's stock equals the sum of its movements.")
        elif options["check"]:
            raise CommandError(f"{len(found)} item(s) do not add up.")
