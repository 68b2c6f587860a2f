from typing import Any

from django.core.management.base import BaseCommand

from accounts.reviews import send_review_reminders


class Command(BaseCommand):
    help = (
        "Opens this quarter's access reviews and e-mails the main admins when a quarter starts and again "
        "14 days later if the review is not complete. Run daily; safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_review_reminders()
        self.stdout.write(f"{sent} access review reminders queued")
