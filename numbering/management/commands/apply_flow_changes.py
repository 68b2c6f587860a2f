from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Makes scheduled call flows take effect when their time has come (each is also queued as a task for its "
        "time; this is the fallback without a worker, safe alongside it: a change is applied once)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from numbering.scheduling import apply_due_changes

        applied = apply_due_changes()
        self.stdout.write(f"{applied} scheduled call flow change(s) applied")
