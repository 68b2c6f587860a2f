from pathlib import Path
from typing import Any

from audit.actor import Actor
from common import formats
from invoicing.actions import PAYMENT_COLUMNS, PaymentImportError, import_payments
from invoicing.imports import Report
from invoicing.management.file_import import FileImportCommand


class Command(FileImportCommand):
    help = (
        f"Imports bank files of payments ({';'.join(PAYMENT_COLUMNS)}). A file with a bad row is not imported at all."
    )
    error_class = PaymentImportError

    def import_file(self, *, path: Path, filename: str, by: Actor, report: Report) -> Any:
        return import_payments(path=path, filename=filename, by=by, report=report)

    def describe(self, batch: Any) -> str:
        return f"{batch.rows} payments imported ({formats.money(batch.total)})"
