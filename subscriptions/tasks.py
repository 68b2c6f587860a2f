from django.db import transaction
from django.tasks import task

from audit.actor import Actor
from audit.events import record
from subscriptions.events import status_changed
from subscriptions.models import Subscription


@task
def provision_subscription(subscription_id: int) -> None:
    """Activates a new subscription once the network has it (simulated here)."""
    with transaction.atomic():
        sub = (
            Subscription.objects.unscoped()
            .select_for_update()
            .filter(pk=subscription_id, status=Subscription.Status.PENDING_ACTIVE)
            .first()
        )
        if sub is None or sub.port_in_requested:
            # A subscription keeping its number from another operator waits for the number transfer:
            # completing the port request (Numbers area, staff) activates it.
            return
        sub.status = Subscription.Status.ACTIVE
        sub.save(update_fields=["status", "updated_at"])
        by = Actor.system("provisioning")
        record("subscription.activated", by=by, company=sub.company, target=sub)
        status_changed(sub, old=Subscription.Status.PENDING_ACTIVE, by=by)


@task
def apply_bulk_job(job_id: int) -> None:
    """Applies a large bulk update (subscriptions.actions.bulk.run_bulk_job); safe to run again after a crash."""
    from subscriptions.actions.bulk import fail_bulk_job, run_bulk_job

    try:
        run_bulk_job(job_id)
    except Exception:
        # The job's transaction rolled back, so nothing was changed; the page says it failed, the task
        # result keeps the traceback.
        fail_bulk_job(job_id)
        raise
