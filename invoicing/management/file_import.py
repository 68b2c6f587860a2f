"""Shared shape of the commands that import files all-or-nothing (usage, bank payments)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from audit.actor import Actor
from common.progress import Progress
from invoicing.imports import Report


class FileImportCommand(BaseCommand):
    error_class: type[Exception] = Exception

    def import_file(self, *, path: Path, filename: str, by: Actor, report: Report) -> Any:
        """Imports one file, streamed from disk; raises ``error_class`` when nothing was imported."""
        raise NotImplementedError

    def describe(self, batch: Any) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not show progress (a bar on a terminal, plain lines otherwise).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        by = Actor.system(f"{self.__module__.rsplit('.', 1)[-1]} command")
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: cannot read (not a file)")
                failed += 1
                continue
            # The bar runs over the file's bytes; the rows read so far are shown beside it.
            progress = Progress(self.stderr, total=path.stat().st_size, label=path.name)

            def report(rows: int, position: int, progress: Progress = progress) -> None:
                if not options["no_progress"]:
                    progress.update(position, note=ngettext("%(rows)s row", "%(rows)s rows", rows) % {"rows": rows})

            try:
                batch = self.import_file(path=path, filename=path.name, by=by, report=report)
            except OSError as error:
                self._end(progress, options, finished=False)
                self.stderr.write(f"{path}: cannot read ({error})")
                failed += 1
                continue
            except self.error_class as error:
                self._end(progress, options, finished=False)
                failed += 1
                self.stderr.write(self.style.ERROR(f"{path}: not imported"))
                for message in getattr(error, "messages", [str(error)]):
                    self.stderr.write(f"  {message}")
            else:
                self._end(progress, options, finished=True)
                self.stdout.write(self.style.SUCCESS(f"{path}: {self.describe(batch)}"))
        if failed:
            raise CommandError(f"{failed} file(s) not imported.")

    def _end(self, progress: Progress, options: dict[str, Any], *, finished: bool) -> None:
        if not options["no_progress"] and progress.done:
            progress.close(finished=finished)
