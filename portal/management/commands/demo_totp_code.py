from typing import Any

from django.core.management.base import BaseCommand

from accounts.totp import current_code
from portal.management.commands.seed_demo import DEMO_STAFF_TOTP_SECRET


class Command(BaseCommand):
    help = "Prints the current two-factor code of the demo staff account (staff@operator.example)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(current_code(DEMO_STAFF_TOTP_SECRET))
