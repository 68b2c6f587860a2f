from django.tasks import task

from api import delivery


@task
def deliver_webhook(delivery_id: int) -> None:
    """POSTs one webhook event to one callback; safe to run twice (the delivery row decides)."""
    delivery.deliver(delivery_id)
