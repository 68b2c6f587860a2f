from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Checks every saved call flow version and every scheduled change against the flow rules (the same rules a "
        "save and the selfservice.callflow/v1 export run) and lists those they refuse; fails if there are any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from numbering.selectors import invalid_saved_flows

        found = invalid_saved_flows()
        for line in found:
            self.stdout.write(line)
        if found:
            raise CommandError(f"{len(found)} saved call flow(s) break the rules")
        self.stdout.write("All saved call flows pass the rules")
