from pathlib import Path
from typing import Any

from audit.actor import Actor
from invoicing.actions import USAGE_COLUMNS, UsageImportError, import_usage
from invoicing.imports import Report
from invoicing.management.file_import import FileImportCommand


class Command(FileImportCommand):
    help = f"Imports usage CSV files ({','.join(USAGE_COLUMNS)}). A file with a bad row is not imported at all."
    error_class = UsageImportError

    def import_file(self, *, path: Path, filename: str, by: Actor, report: Report) -> Any:
        return import_usage(path=path, filename=filename, by=by, report=report)

    def describe(self, batch: Any) -> str:
        return f"{batch.rows} usage records imported"
