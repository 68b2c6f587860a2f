from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from api.retention import BATCH_SIZE, Pruned, cutoff, prunable, prune_webhook_history
from common.progress import Progress


class Command(BaseCommand):
    help = (
        "Removes webhook events older than WEBHOOK_RETENTION_DAYS (30), with their deliveries and tries, "
        "in batches (events with a delivery still waiting stay). Safe to run again; run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="keep this many days (default: the setting)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        before = cutoff(options["days"])
        total = prunable(before).count()
        with Progress(self.stderr, total=total, label=_("Webhook history"), unit=_("events")) as progress:

            def on_batch(pruned: Pruned) -> None:
                progress.update(pruned.events)

            pruned = prune_webhook_history(before=before, batch_size=options["batch_size"], on_batch=on_batch)
        self.stdout.write(
            f"Removed {pruned.events} webhook events, {pruned.deliveries} deliveries and {pruned.attempts} "
            f"tries from before {before.isoformat()}."
        )
