"""Bulk updates of a selection: preview, all-or-nothing apply, and large sets as a background job."""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import bulk_record
from audit.models import AuditEvent
from common import formats
from companies.models import Company
from registry.events import publish
from subscriptions.actions.base import OPEN
from subscriptions.events import SubscriptionStatusChanged
from subscriptions.models import BulkJob, Product, Subscription

# Bulk update ---------------------------------------------------------------


@dataclass
class BulkPreview:
    action: str
    changeable: list[int]
    blocked: list[tuple[Subscription, str]]
    sample: list[Subscription]
    total: int
    labels: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def token(self) -> str:
        return hashlib.sha256(",".join(map(str, self.changeable)).encode()).hexdigest()


def _bulk_split(
    qs: QuerySet[Subscription], *, action: str, target: Product | None, on: datetime.date | None
) -> tuple[list[int], list[tuple[int, str]], dict[int, str]]:
    """Splits a selection into what the action can change and what it cannot (and why), in one pass."""
    changeable: list[int] = []
    blocked: list[tuple[int, str]] = []
    labels: dict[int, str] = {}
    today = timezone.localdate()
    sources: set[int] = set()
    if action == "change_product" and target is not None:
        sources = set(Product.objects.filter(allowed_changes=target).values_list("pk", flat=True))
    notice = {
        pk: today + datetime.timedelta(days=days) for pk, days in Product.objects.values_list("pk", "notice_days")
    }
    already_cancelled, same_type, not_allowed = (
        _("already cancelled"),
        _("already has this type"),
        _("not an allowed upgrade or downgrade"),
    )
    open_statuses = set(OPEN)
    waiting_for_port = _("waiting for its number to be transferred: cancel it on its own page")
    rows = qs.order_by().values_list(
        "pk", "status", "product_id", "binding_end", "user_name", "phone_number", "port_in_requested"
    )
    for pk, status, product_id, binding_end, name, phone, porting in rows.iterator(chunk_size=5000):
        labels[pk] = f"{name} ({phone})" if phone else name
        if status not in open_statuses:
            blocked.append((pk, already_cancelled))
        elif action == "cancel" and porting and status == Subscription.Status.PENDING_ACTIVE:
            # Its port request must be cancelled with it, which the single cancel does.
            blocked.append((pk, waiting_for_port))
        elif action == "cancel":
            if status == Subscription.Status.PENDING_ACTIVE:
                earliest = today
            else:
                earliest = notice[product_id]
                if binding_end and binding_end > earliest:
                    earliest = binding_end
            if on is None or on < earliest:
                blocked.append((pk, _("earliest possible date is %(date)s") % {"date": formats.date(earliest)}))
            else:
                changeable.append(pk)
        elif action == "change_product":
            if product_id == getattr(target, "pk", None):
                blocked.append((pk, same_type))
            elif product_id not in sources:
                blocked.append((pk, not_allowed))
            else:
                changeable.append(pk)
        else:
            changeable.append(pk)
    return sorted(changeable), blocked, labels


def preview_bulk(
    qs: QuerySet[Subscription],
    *,
    action: str,
    target: Product | None = None,
    on: datetime.date | None = None,
    sample_size: int = 20,
) -> BulkPreview:
    changeable, blocked, labels = _bulk_split(qs, action=action, target=target, on=on)
    sample = list(Subscription.objects.unscoped().filter(pk__in=changeable[:sample_size]).select_related("product"))
    blocked_subs = {
        s.pk: s
        for s in Subscription.objects.unscoped()
        .filter(pk__in=[pk for pk, _r in blocked[:sample_size]])
        .select_related("product")
    }
    return BulkPreview(
        action,
        changeable,
        [(blocked_subs[pk], why) for pk, why in blocked[:sample_size]],
        sample,
        len(changeable) + len(blocked),
        labels,
    )


class BulkConflict(ValidationError):
    pass


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


@transaction.atomic
def apply_bulk(
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
) -> int:
    """All or nothing: the set must be what the admin previewed, and every row must still allow the change."""
    if action == "cancel" and not reason.strip():
        raise ValidationError(_("Give a reason for the cancellation."), code="reason_required")
    # Lock the rows first (PostgreSQL) so a concurrent bulk update waits and then sees our changes.
    list(qs.select_for_update().order_by("pk").values_list("pk", flat=True))
    preview = preview_bulk(qs, action=action, target=target, on=on, sample_size=0)
    if preview.token != token:
        raise BulkConflict(
            _("The subscriptions changed since the preview. Review the changes again."), code="preview_outdated"
        )
    if not preview.changeable:
        raise ValidationError(_("Nothing to change."), code="nothing_to_change")
    return _write_bulk(
        preview.changeable,
        preview.labels,
        company=company,
        action=action,
        by=by,
        target=target,
        on=on,
        reason=reason,
        cost_centre=cost_centre,
    )


def _write_bulk(
    ids: list[int],
    labels: dict[int, str],
    *,
    company: Company,
    action: str,
    by: Actor,
    target: Product | None,
    on: datetime.date | None,
    reason: str,
    cost_centre: str,
) -> int:
    """Writes a checked set (inside the caller's transaction, rows locked): conditional updates, one event each."""
    now = timezone.now()
    changed = 0
    base = Subscription.objects.filter(company=company, status__in=OPEN)
    status_changes: list[tuple[int, str, str]] = []
    for chunk in _chunks(ids):
        rows = base.filter(pk__in=chunk)
        if action == "cancel":
            # The rows are locked by the caller: the statuses read here are the ones the update replaces.
            status_changes += [
                (pk, status, Subscription.Status.PENDING_TERMINATE) for pk, status in rows.values_list("pk", "status")
            ]
            changed += rows.update(
                status=Subscription.Status.PENDING_TERMINATE, end_date=on, cancel_reason=reason.strip(), updated_at=now
            )
        elif action == "change_product":
            changed += rows.exclude(product=target).update(
                product=target, scheduled_product=None, scheduled_product_date=None, updated_at=now
            )
        elif action == "cost_centre":
            changed += rows.update(cost_centre=cost_centre, updated_at=now)
    if changed != len(ids):
        # Conditional updates touched fewer rows than previewed: someone else got there first.
        raise BulkConflict(
            _("The subscriptions changed since the preview. Review the changes again."), code="preview_outdated"
        )
    verb = {
        "cancel": "subscription.cancelled",
        "change_product": "subscription.product_changed",
        "cost_centre": "subscription.cost_centre_changed",
    }[action]
    details: dict[str, Any] = {"bulk": True}
    if action == "cancel":
        details |= {"end_date": on.isoformat() if on else None, "reason": reason.strip()}
    elif action == "change_product" and target is not None:
        details |= {"to": target.code}
    else:
        details |= {"cost_centre": cost_centre}
    bulk_record(
        [
            AuditEvent(
                company=company,
                actor=by.user,
                actor_label=by.display,
                action=verb,
                target_type="subscriptions.subscription",
                target_id=str(pk),
                target_label=labels.get(pk, "")[:255],
                details=details,
                ip_address=by.ip_address,
            )
            for pk in ids
        ]
    )
    if status_changes:
        publish(SubscriptionStatusChanged(company_id=company.pk, changes=tuple(status_changes), by=by))
    return changed


# Large bulk updates run as a task -------------------------------------------


def run_bulk_job(job_id: int) -> BulkJob | None:
    """The task's body. Every row is checked again under lock and everything is written in one transaction,
    so the job is done or failed as a whole. A re-run (a worker died after committing) finds the job
    finished under its lock and writes nothing twice."""
    BulkJob.objects.unscoped().filter(pk=job_id, status=BulkJob.Status.QUEUED).update(
        status=BulkJob.Status.RUNNING, started_at=timezone.now()
    )
    with transaction.atomic():
        jobs = (
            BulkJob.objects.unscoped().select_for_update(of=("self",)).select_related("company", "target", "created_by")
        )
        job = jobs.filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        by = Actor(user=job.created_by, ip_address=job.ip_address, label=job.created_by_label)
        values: dict[str, Any] = {"action": job.action, "target": job.target, "on": job.end_date}
        try:
            with transaction.atomic():
                changeable, labels = _locked_split(job.subscription_ids, company=job.company, **values)
                if changeable != job.subscription_ids:
                    raise BulkConflict("")
                job.changed = _write_bulk(
                    changeable,
                    labels,
                    company=job.company,
                    by=by,
                    reason=job.reason,
                    cost_centre=job.cost_centre,
                    **values,
                )
        except BulkConflict:
            # Count outside the rolled-back savepoint, for the message on the job page.
            changeable, _labels = _locked_split(job.subscription_ids, company=job.company, **values)
            job.status, job.failure = BulkJob.Status.FAILED, BulkJob.Failure.CONFLICT
            job.conflicts = max(len(job.subscription_ids) - len(changeable), 1)
        else:
            job.status = BulkJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "conflicts", "changed", "finished_at"])
    return job


def fail_bulk_job(job_id: int) -> None:
    """After an unexpected error (the task's transaction rolled back): the job page says so."""
    BulkJob.objects.unscoped().filter(pk=job_id).exclude(
        status__in=[BulkJob.Status.DONE, BulkJob.Status.FAILED]
    ).update(status=BulkJob.Status.FAILED, failure=BulkJob.Failure.ERROR, finished_at=timezone.now())


def _locked_split(
    ids: list[int], *, company: Company, action: str, target: Product | None, on: datetime.date | None
) -> tuple[list[int], dict[int, str]]:
    """Locks the job's rows (in pk order, chunked for the database's parameter limit) and splits them again."""
    changeable: list[int] = []
    labels: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        rows = Subscription.objects.filter(company=company, pk__in=chunk)
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        ok, _blocked, chunk_labels = _bulk_split(rows, action=action, target=target, on=on)
        changeable += ok
        labels |= chunk_labels
    return sorted(changeable), labels
