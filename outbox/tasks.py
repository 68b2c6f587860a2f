from django.tasks import task


@task
def send_outbox_task() -> int:
    """Sends what is due (enqueued after each commit that queued mail; cron's `send_outbox` is the safety net)."""
    from outbox.sender import send_due

    return send_due().sent
