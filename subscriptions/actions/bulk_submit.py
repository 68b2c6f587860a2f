"""Applying a bulk update from the page: a small set at once, a larger one queued as a BulkJob.

Apart from ``bulk`` because it queues the task (``subscriptions.tasks.apply_bulk_job``) whose body is
``bulk.run_bulk_job``: the task module imports ``bulk``, this module imports both, and no module circle forms.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from jobs.queue import enqueue
from registry.scoping import check_cost_centre
from subscriptions.actions.bulk import BulkConflict, BulkPreview, apply_bulk, preview_bulk
from subscriptions.models import BulkJob, Product, Subscription
from subscriptions.tasks import apply_bulk_job


def submit_bulk(
    qs: QuerySet[Subscription],
    *,
    company: Company,
    action: str,
    token: str,
    by: Actor,
    target: Product | None = None,
    on: datetime.date | None = None,
    reason: str = "",
    cost_centre: str = "",
) -> int | BulkJob:
    """The "Apply changes" button: a small set is applied at once (returns the count); a larger one
    becomes a BulkJob applied by a task, so no web request does heavy work."""
    if action == "cost_centre":
        check_cost_centre(company, cost_centre)  # a limited admin moves subscriptions only between theirs
    values: dict[str, Any] = {"action": action, "target": target, "on": on}
    preview = preview_bulk(qs, **values, sample_size=0)
    if len(preview.changeable) <= settings.SUBSCRIPTIONS_BULK_SYNC_LIMIT:
        return apply_bulk(qs, company=company, token=token, by=by, reason=reason, cost_centre=cost_centre, **values)
    return start_bulk_job(
        preview, company=company, token=token, by=by, reason=reason, cost_centre=cost_centre, target=target, on=on
    )


@transaction.atomic
def start_bulk_job(
    preview: BulkPreview,
    *,
    company: Company,
    token: str,
    by: Actor,
    target: Product | None = None,
    on: datetime.date | None = None,
    reason: str = "",
    cost_centre: str = "",
) -> BulkJob:
    """Records the previewed set and queues its task in the same transaction (neither exists without the other)."""
    if preview.action == "cancel" and not reason.strip():
        raise ValidationError(_("Give a reason for the cancellation."), code="reason_required")
    if preview.token != token:
        raise BulkConflict(
            _("The subscriptions changed since the preview. Review the changes again."), code="preview_outdated"
        )
    if not preview.changeable:
        raise ValidationError(_("Nothing to change."), code="nothing_to_change")
    job = BulkJob.objects.create(
        company=company,
        action=preview.action,
        subscription_ids=preview.changeable,
        end_date=on if preview.action == "cancel" else None,
        reason=reason.strip() if preview.action == "cancel" else "",
        target=target if preview.action == "change_product" else None,
        cost_centre=cost_centre if preview.action == "cost_centre" else "",
        total=len(preview.changeable),
        created_by=by.user,
        created_by_label=by.display,
        ip_address=by.ip_address,
    )
    record(
        "subscription.bulk_queued",
        by=by,
        company=company,
        target=job,
        details={"action": job.action, "subscriptions": job.total},
    )
    enqueue(apply_bulk_job, job.pk)
    return job
