from typing import Any

from django.core.management.base import BaseCommand

from audit.actor import Actor
from subscriptions.actions import apply_due_changes


class Command(BaseCommand):
    help = "Applies due subscription type changes and ends cancelled subscriptions past their last day. Run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        changed, ended = apply_due_changes(by=Actor.system("roll-over"))
        self.stdout.write(f"{changed} type changes applied, {ended} subscriptions ended")
