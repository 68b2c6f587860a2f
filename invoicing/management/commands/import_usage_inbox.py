"""Imports every usage file waiting in an inbox directory: run it from cron as often as files come (hourly).

    manage.py import_usage_inbox /srv/usage/inbox

Each ``*.csv`` file (oldest first) is imported all or nothing, as ``import_usage`` does, then moved:
to ``imported/`` when it was imported (or its content had been imported before: the same file twice
counts once), to ``failed/`` with a ``<name>.errors.txt`` beside it when a line was bad. A file still
being written is left for the next run: the network's uploader should write ``name.csv.part`` and
rename it when complete; files changed in the last ``--settle`` seconds are skipped as well.
Two runs at once (a slow run meeting the next hour's) do not import a file twice: a lock file in the
inbox makes the second run stop at once, and the import refuses content it has imported anyway.
"""

import fcntl
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.actor import Actor
from invoicing.actions import UsageImportError, import_usage
from invoicing.imports import Source
from invoicing.models import FileImport, UsageImport


class Command(BaseCommand):
    help = "Imports the usage files waiting in an inbox directory (for cron; every file once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("inbox", type=Path)
        parser.add_argument("--settle", type=int, default=60, help="Skip files changed this many seconds ago.")

    def handle(self, *args: Any, **options: Any) -> None:
        inbox: Path = options["inbox"]
        if not inbox.is_dir():
            raise CommandError(f"{inbox}: not a directory")
        (inbox / "imported").mkdir(exist_ok=True)
        (inbox / "failed").mkdir(exist_ok=True)
        with (inbox / ".import.lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.stdout.write("Another import of this inbox is running; nothing to do.")
                return
            failed = self._import_all(inbox, options["settle"])
        if failed:
            raise CommandError(f"{failed} file(s) not imported; see {inbox / 'failed'}.")

    def _import_all(self, inbox: Path, settle: int) -> int:
        by = Actor.system("import_usage_inbox command")
        now = time.time()
        files = sorted(
            (p for p in inbox.glob("*.csv") if p.is_file() and now - p.stat().st_mtime >= settle),
            key=lambda p: (p.stat().st_mtime, p.name),
        )
        failed = 0
        for path in files:
            sha256 = Source.of(filename=path.name, path=path).sha256()
            earlier = UsageImport.objects.filter(sha256=sha256, status=FileImport.Status.DONE).first()
            if earlier is not None:
                self.stdout.write(f"{path.name}: already imported as {earlier.filename}; not imported again")
                path.rename(inbox / "imported" / path.name)
                continue
            try:
                batch = import_usage(path=path, filename=path.name, by=by)
            except UsageImportError as error:
                messages = list(getattr(error, "messages", [str(error)]))
                failed += 1
                target = inbox / "failed" / path.name
                path.rename(target)
                target.with_name(target.name + ".errors.txt").write_text("\n".join(messages) + "\n", encoding="utf-8")
                self.stderr.write(self.style.ERROR(f"{path.name}: not imported ({len(messages)} errors)"))
                continue
            path.rename(inbox / "imported" / path.name)
            self.stdout.write(self.style.SUCCESS(f"{path.name}: {batch.rows} usage records imported"))
        return failed
