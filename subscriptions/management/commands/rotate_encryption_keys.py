from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from subscriptions import crypto
from subscriptions.models import Subscription


class Command(BaseCommand):
    help = (
        "Re-encrypts every SIM PIN/PUK with the first key of FIELD_ENCRYPTION_KEYS. "
        "Run after putting a new key first; then the old keys can be removed. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        rotated, failed = 0, []
        rows = (
            Subscription.objects.unscoped()
            .exclude(pin_encrypted="", puk_encrypted="")
            .order_by("pk")
            .values_list("pk", "pin_encrypted", "puk_encrypted")
        )
        batch: list[Subscription] = []
        for pk, pin, puk in rows.iterator(chunk_size=size):
            try:
                batch.append(Subscription(pk=pk, pin_encrypted=crypto.rotate(pin), puk_encrypted=crypto.rotate(puk)))
            except crypto.UndecryptableSecret:
                failed.append(pk)
                continue
            if len(batch) >= size:
                rotated += self._save(batch)
        rotated += self._save(batch)
        self.stdout.write(f"Re-encrypted PIN/PUK of {rotated} subscriptions with the first key.")
        if failed:
            shown = ", ".join(str(pk) for pk in failed[:20])
            raise CommandError(
                f"{len(failed)} subscriptions have a PIN/PUK that no configured key decrypts (ids {shown}"
                f"{', …' if len(failed) > 20 else ''}); they were left as they are. Add the key they were "
                "encrypted with to FIELD_ENCRYPTION_KEYS and run again."
            )

    def _save(self, batch: list[Subscription]) -> int:
        count = len(batch)
        if batch:
            # Only the two columns: the rows are not loaded whole, and nothing else changes.
            with transaction.atomic():
                Subscription.objects.unscoped().bulk_update(batch, ["pin_encrypted", "puk_encrypted"])
            batch.clear()
        return count
