"""Shared shape of the commands that import files all-or-nothing (usage, bank payments)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.actor import Actor


class FileImportCommand(BaseCommand):
    error_class: type[Exception] = Exception

    def import_file(self, *, path: Path, filename: str, by: Actor) -> Any:
        """Imports one file, streamed from disk; raises ``error_class`` when nothing was imported."""
        raise NotImplementedError

    def describe(self, batch: Any) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        by = Actor.system(f"{self.__module__.rsplit('.', 1)[-1]} command")
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: cannot read (not a file)")
                failed += 1
                continue
            try:
                batch = self.import_file(path=path, filename=path.name, by=by)
            except OSError as error:
                self.stderr.write(f"{path}: cannot read ({error})")
                failed += 1
                continue
            except self.error_class as error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{path}: not imported"))
                for message in getattr(error, "messages", [str(error)]):
                    self.stderr.write(f"  {message}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{path}: {self.describe(batch)}"))
        if failed:
            raise CommandError(f"{failed} file(s) not imported.")
