from django.tasks import task

from api import delivery


@task
def deliver_webhook(delivery_id: int) -> None:
    """POSTs one webhook event to one callback; safe to run twice (the delivery row decides)."""
    delivery.deliver(delivery_id)


@task
def prune_webhook_history_task() -> int:
    """The retention run as a task (for a scheduler that enqueues tasks); returns how many events went."""
    from api.retention import cutoff, prune_webhook_history

    return prune_webhook_history(before=cutoff()).events
