from typing import Any

from django.core.management.base import BaseCommand

from guardrails.actions import lift_past_months


class Command(BaseCommand):
    help = "Lifts the guardrail bars of earlier months and expires their open raise requests (idempotent; cron on the 1st)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = lift_past_months()
        self.stdout.write(f"lifted {result['lifted']} bars, expired {result['expired']} raise requests")
