from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.actor import Actor
from invoicing.actions import PAYMENT_COLUMNS, PaymentImportError, import_payments
from invoicing.money import format_kr


class Command(BaseCommand):
    help = (f"Imports bank files of payments ({';'.join(PAYMENT_COLUMNS)}). "
            "A file with a bad row is not imported at all.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["files"]:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                self.stderr.write(f"{path}: cannot read ({error})")
                failed += 1
                continue
            try:
                batch = import_payments(text=text, filename=path.name, by=Actor.system("import_payments command"))
            except PaymentImportError as error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{path}: not imported"))
                for message in error.messages:
                    self.stderr.write(f"  {message}")
            else:
                self.stdout.write(self.style.SUCCESS(
                    f"{path}: {batch.rows} payments imported ({format_kr(batch.total)} kr.)"))
        if failed:
            raise CommandError(f"{failed} file(s) not imported.")
