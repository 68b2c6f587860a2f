from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from api.models import WebhookHub
from subscriptions import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypts every webhook signing secret with the first key of FIELD_ENCRYPTION_KEYS "
        "(run with rotate_encryption_keys, before removing an old key). Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated, failed = 0, []
        # Every company's hubs: a key rotation is the operator's, across companies.
        for hub in WebhookHub.objects.unscoped().exclude(secret_encrypted="").only("pk", "secret_encrypted"):
            try:
                secret = crypto.rotate(hub.secret_encrypted)
            except crypto.UndecryptableSecret:
                failed.append(hub.pk)
                continue
            with transaction.atomic():
                WebhookHub.objects.unscoped().filter(pk=hub.pk).update(secret_encrypted=secret)
            rotated += 1
        self.stdout.write(f"Re-encrypted the signing secret of {rotated} webhooks with the first key.")
        if failed:
            raise CommandError(
                f"{len(failed)} webhooks have a secret that no configured key decrypts (ids "
                f"{', '.join(map(str, failed[:20]))}); add the key they were encrypted with and run again."
            )
